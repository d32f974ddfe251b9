package foldstream.worker.runtime;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * The events a task wrote since its stream thread's last commit, decoded. A replay folds the
 * committed events of {@code S-events}, which stop before the open transaction; these fill in the
 * rest. Nothing more is kept: once the thread has committed, everything added before is readable in
 * {@code S-events}, and the next {@link #add} or {@link #all} drops it. (After an abort the task is
 * initialized again, which {@link #clear}s them.)
 *
 * <p>Commits are counted by Kafka Streams' thread metric {@code commit-total}, recorded only after
 * the transaction committed; without one (TopologyTestDriver), a bound on the count is the only trim.
 */
final class RecentEvents {

    record Event(String aggregateId, long version, SpecificRecord event, long timestamp, String commandId) {
    }

    private final int capacity;
    private final LongSupplier commits;
    private final ArrayDeque<Event> events;
    /** The commit count when last looked; unknown until the first event. */
    private long seenCommits = Long.MIN_VALUE;

    /**
     * @param capacity the most kept when commits cannot be counted
     * @param commits how many times the owning thread has committed so far
     */
    RecentEvents(int capacity, LongSupplier commits) {
        this.capacity = capacity;
        this.commits = commits;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    void add(Event event) {
        dropCommitted();
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** The events not yet committed, oldest first. */
    List<Event> all() {
        dropCommitted();
        return List.copyOf(events);
    }

    int size() {
        dropCommitted();
        return events.size();
    }

    void clear() {
        events.clear();
        seenCommits = Long.MIN_VALUE;
    }

    private void dropCommitted() {
        long now = commits.getAsLong();
        if (seenCommits != Long.MIN_VALUE && now != seenCommits) {
            events.clear();
        }
        seenCommits = now;
    }
}
