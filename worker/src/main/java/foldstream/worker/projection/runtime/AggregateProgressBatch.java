package foldstream.worker.projection.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The per-aggregate progress rows of one JDBC transaction: read once (in bulk for a batch of
 * events, rather than one query per event), kept here while the batch is applied, and written once
 * per aggregate just before the transaction commits (batched statements, rather than an update and
 * maybe an insert per event). The duplicate and gap guard sees exactly what it saw before: the
 * stored version, moved by each event of the batch in order.
 *
 * <pre>{@code
 * AggregateProgressBatch batch = new AggregateProgressBatch(positions, "account-balances-v1");
 * batch.preload(connection, List.of(new AggregateProgressBatch.Aggregate("ex_accounts", "a-1")));
 * Progress progress = batch.get(connection, "ex_accounts", "a-1");
 * batch.put("ex_accounts", "a-1", progress.at(2));
 * batch.flush(connection);   // in the transaction that moves the position
 * }</pre>
 */
final class AggregateProgressBatch {

    /** One aggregate, by type and id. */
    record Aggregate(String type, String id) {
    }

    private final JdbcPositions positions;
    private final String projection;
    private final Map<Aggregate, Progress> known = new HashMap<>();
    private final Set<Aggregate> stored = new HashSet<>();
    private final Map<Aggregate, Progress> changed = new LinkedHashMap<>();

    AggregateProgressBatch(JdbcPositions positions, String projection) {
        this.positions = positions;
        this.projection = projection;
    }

    /** Reads the stored progress of these aggregates in a few queries. */
    void preload(Connection connection, Collection<Aggregate> aggregates) throws SQLException {
        Map<String, Set<String>> idsByType = new LinkedHashMap<>();
        for (Aggregate aggregate : aggregates) {
            if (!known.containsKey(aggregate)) {
                idsByType.computeIfAbsent(aggregate.type(), type -> new LinkedHashSet<>()).add(aggregate.id());
            }
        }
        for (Map.Entry<String, Set<String>> entry : idsByType.entrySet()) {
            Map<String, Progress> found = positions.aggregates(connection, projection, entry.getKey(), entry.getValue());
            for (String id : entry.getValue()) {
                Aggregate aggregate = new Aggregate(entry.getKey(), id);
                Progress progress = found.get(id);
                known.put(aggregate, progress == null ? Progress.NONE : progress);
                if (progress != null) {
                    stored.add(aggregate);
                }
            }
        }
    }

    /** The aggregate's progress as this transaction sees it. */
    Progress get(Connection connection, String type, String id) throws SQLException {
        Aggregate aggregate = new Aggregate(type, id);
        if (!known.containsKey(aggregate)) {
            preload(connection, Set.of(aggregate));
        }
        return known.get(aggregate);
    }

    void put(String type, String id, Progress progress) {
        Aggregate aggregate = new Aggregate(type, id);
        known.put(aggregate, progress);
        changed.put(aggregate, progress);
    }

    /** Writes every changed aggregate's progress in the caller's transaction. */
    void flush(Connection connection) throws SQLException {
        if (changed.isEmpty()) {
            return;
        }
        positions.saveAggregates(connection, projection, changed, stored);
        stored.addAll(changed.keySet());
        changed.clear();
    }
}
