package foldstream.worker.projection.runtime;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What a JDBC runner knows of the stored progress of the aggregates on the partitions it owns, so
 * that it reads each aggregate's row once, not once per event. It is exact because only the owner
 * of a partition's position writes the rows of that partition's aggregates (an aggregate's events
 * are on one partition), and each of its transactions first moves the position by compare-and-set:
 * a transaction that commits proves nobody else wrote since. The runner remembers only what
 * committed, and forgets a partition whenever that proof is lost: the partition revoked or found
 * moved, a seek to the stored position, any database trouble (a commit whose answer was lost may
 * have happened). Bounded: past {@value #LIMIT} aggregates it forgets everything and reads again.
 *
 * <pre>{@code
 * OwnedProgress owned = new OwnedProgress();
 * Set<JdbcPositions.Aggregate> toRead = owned.unknown(partition, involved);
 * Map<JdbcPositions.Aggregate, Progress> stored = positions.aggregates(connection, projectionId, toRead);
 * stored.putAll(owned.known(partition, involved));
 * ... apply, commit ...
 * owned.remember(partition, progressAfterCommit);
 * }</pre>
 */
final class OwnedProgress {

    /** About 100 bytes each: tens of megabytes at most. */
    static final int LIMIT = 200_000;

    private final Map<TopicPartition, Map<JdbcPositions.Aggregate, Progress>> byPartition = new HashMap<>();
    private int size;

    /** Those of {@code aggregates} whose stored progress is not known here. */
    Set<JdbcPositions.Aggregate> unknown(TopicPartition partition, Collection<JdbcPositions.Aggregate> aggregates) {
        Map<JdbcPositions.Aggregate, Progress> known = byPartition.getOrDefault(partition, Map.of());
        Set<JdbcPositions.Aggregate> unknown = new LinkedHashSet<>();
        for (JdbcPositions.Aggregate aggregate : aggregates) {
            if (!known.containsKey(aggregate)) {
                unknown.add(aggregate);
            }
        }
        return unknown;
    }

    /** The stored progress of those of {@code aggregates} known here. */
    Map<JdbcPositions.Aggregate, Progress> known(TopicPartition partition, Collection<JdbcPositions.Aggregate> aggregates) {
        Map<JdbcPositions.Aggregate, Progress> known = byPartition.getOrDefault(partition, Map.of());
        Map<JdbcPositions.Aggregate, Progress> found = new HashMap<>();
        for (JdbcPositions.Aggregate aggregate : aggregates) {
            Progress progress = known.get(aggregate);
            if (progress != null) {
                found.put(aggregate, progress);
            }
        }
        return found;
    }

    /** After a commit: these aggregates' rows now hold {@code stored}. */
    void remember(TopicPartition partition, Map<JdbcPositions.Aggregate, Progress> stored) {
        if (size + stored.size() > LIMIT) {
            forgetAll();
        }
        Map<JdbcPositions.Aggregate, Progress> known = byPartition.computeIfAbsent(partition, p -> new HashMap<>());
        int before = known.size();
        known.putAll(stored);
        size += known.size() - before;
    }

    void forget(TopicPartition partition) {
        Map<JdbcPositions.Aggregate, Progress> known = byPartition.remove(partition);
        if (known != null) {
            size -= known.size();
        }
    }

    void forgetAll() {
        byPartition.clear();
        size = 0;
    }
}
