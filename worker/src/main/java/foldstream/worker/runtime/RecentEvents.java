package foldstream.worker.runtime;

import java.util.ArrayDeque;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The last events a task wrote, decoded. A replay folds the committed events of {@code S-events},
 * which stop before the task's own open transaction; these fill in the rest. Bounded: a transaction
 * holds far fewer events than this.
 */
final class RecentEvents {

    record Event(String aggregateId, long version, SpecificRecord event, long timestamp, String commandId) {
    }

    private final int capacity;
    private final ArrayDeque<Event> events;

    RecentEvents(int capacity) {
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    void add(Event event) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** Oldest first. */
    List<Event> all() {
        return List.copyOf(events);
    }

    void clear() {
        events.clear();
    }
}
