package foldstream.worker.process.runtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What comes due when, in the task's own store so that it moves and restores with the instances: keys
 * {@code <due millis, 16 hex digits><kind><instance id>\0<name>}, so a range scan up to now finds what
 * is due, oldest first, without reading the instances.
 */
final class DueIndex {

    /** A deadline an instance set. */
    static final char DEADLINE = 'd';
    /** The end of a finished instance's retention. */
    static final char EXPIRY = 'x';

    record Entry(String key, Instant at, char kind, String instanceId, String name) {
    }

    private final KeyValueStore<String, byte[]> store;

    DueIndex(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    static String key(Instant at, char kind, String instanceId, String name) {
        return String.format("%016x", Math.max(0, at.toEpochMilli())) + kind + instanceId + '\u0000' + name;
    }

    void add(Instant at, char kind, String instanceId, String name) {
        store.put(key(at, kind, instanceId, name), new byte[0]);
    }

    void remove(Instant at, char kind, String instanceId, String name) {
        store.delete(key(at, kind, instanceId, name));
    }

    void remove(Entry entry) {
        store.delete(entry.key());
    }

    /** Up to {@code limit} entries due at or before {@code now}, oldest first. */
    List<Entry> dueBy(Instant now, int limit) {
        List<Entry> due = new ArrayList<>();
        String to = String.format("%016x", now.toEpochMilli()) + '\uffff';
        try (KeyValueIterator<String, byte[]> range = store.range("", to)) {
            while (range.hasNext() && due.size() < limit) {
                String key = range.next().key;
                int nul = key.lastIndexOf('\u0000');
                due.add(new Entry(key, Instant.ofEpochMilli(Long.parseLong(key.substring(0, 16), 16)), key.charAt(16),
                        key.substring(17, nul), key.substring(nul + 1)));
            }
        }
        return due;
    }
}
