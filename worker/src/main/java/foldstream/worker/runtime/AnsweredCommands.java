package foldstream.worker.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The commands one task has answered, with their results, for the idempotency window: a point
 * lookup per command (RocksDB's bloom filters make the usual miss cheap). An answer is kept for
 * {@code retention} of stream time (the commands' timestamps); older ones count as absent at once
 * and are deleted by a sweep that walks the store a slice at a time, at least twice as fast as
 * answers arrive, so the store stays about one retention's worth in size. Once a whole pass has
 * seen the oldest answer, sweeping waits until that one can have expired: with the default week of
 * retention a busy worker does not re-read its store every second for nothing.
 *
 * <p>Keys are the aggregate id and the command id: a command id is an idempotency key per aggregate.
 */
final class AnsweredCommands {

    private static final int MIN_SWEEP = 1_000;

    private final KeyValueStore<String, byte[]> store;
    private final long retentionMillis;
    private long streamTime = Long.MIN_VALUE;
    private int answeredSinceSweep;
    private String sweepFrom;
    /** Oldest timestamp seen by the current pass, and remembered since it began. */
    private long passOldest = Long.MAX_VALUE;
    /** Oldest timestamp in the store, as of the last complete pass; unknown until one completed. */
    private long oldest = Long.MIN_VALUE;

    AnsweredCommands(KeyValueStore<String, byte[]> store, Duration retention) {
        this.store = store;
        this.retentionMillis = retention.toMillis();
    }

    static String key(String aggregateId, String commandId) {
        return aggregateId + '\u0000' + commandId;
    }

    /** Moves stream time on: the newest command timestamp seen. */
    void observe(long timestamp) {
        streamTime = Math.max(streamTime, timestamp);
    }

    /** The result first sent for this command, as sent; null when not answered within the retention. */
    byte[] firstAnswer(String key) {
        byte[] stored = store.get(key);
        if (stored == null || expired(stored)) {
            return null;
        }
        return Arrays.copyOfRange(stored, Long.BYTES, stored.length);
    }

    void remember(String key, byte[] result, long timestamp) {
        store.put(key, ByteBuffer.allocate(Long.BYTES + result.length).putLong(timestamp).put(result).array());
        answeredSinceSweep++;
        passOldest = Math.min(passOldest, timestamp);
        if (oldest != Long.MIN_VALUE) {
            oldest = Math.min(oldest, timestamp);
        }
    }

    /** Deletes expired answers in the next slice of the store. */
    void sweep() {
        if (sweepFrom == null && oldest != Long.MIN_VALUE && !expired(oldest)) {
            answeredSinceSweep = 0;
            return; // nothing in the store is old enough yet
        }
        int budget = Math.max(MIN_SWEEP, 2 * answeredSinceSweep);
        answeredSinceSweep = 0;
        List<String> expired = new ArrayList<>();
        String last = null;
        int scanned = 0;
        try (KeyValueIterator<String, byte[]> slice = store.range(sweepFrom, null)) {
            while (scanned < budget && slice.hasNext()) {
                KeyValue<String, byte[]> entry = slice.next();
                long timestamp = ByteBuffer.wrap(entry.value).getLong();
                if (expired(timestamp)) {
                    expired.add(entry.key);
                } else {
                    passOldest = Math.min(passOldest, timestamp);
                }
                last = entry.key;
                scanned++;
            }
            // At the end of the store the next sweep starts again from its beginning.
            sweepFrom = slice.hasNext() ? last : null;
        }
        if (sweepFrom == null) {
            oldest = passOldest;
            passOldest = Long.MAX_VALUE;
        }
        expired.forEach(store::delete);
    }

    private boolean expired(byte[] stored) {
        return expired(ByteBuffer.wrap(stored).getLong());
    }

    private boolean expired(long timestamp) {
        return streamTime != Long.MIN_VALUE && timestamp < streamTime - retentionMillis;
    }
}
