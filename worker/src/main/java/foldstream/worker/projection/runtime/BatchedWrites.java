package foldstream.worker.projection.runtime;

import foldstream.worker.projection.SqlWrite;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Runs a transaction's {@link SqlWrite}s in their order with few round trips: consecutive writes
 * of the same SQL text go to one {@code PreparedStatement} as one JDBC batch (PostgreSQL's driver
 * sends a batch in one round trip), and a write of another text first runs the batch before it.
 * Nothing is reordered, so an {@code INSERT} then an {@code UPDATE} of the same row stay in that
 * order. A refused batch does not say which event's write it was: the runner then redoes the
 * transaction one write at a time to find it.
 *
 * <pre>{@code
 * try (BatchedWrites writes = new BatchedWrites(connection)) {
 *     writes.add(SqlWrite.of("INSERT INTO t VALUES (?, 0)", "a1"));
 *     writes.add(SqlWrite.of("UPDATE t SET n = n + ? WHERE id = ?", 5, "a1"));   // runs the INSERT's batch first
 *     writes.flush();
 * }
 * }</pre>
 */
final class BatchedWrites implements AutoCloseable {

    private final Connection connection;
    private PreparedStatement pending;
    private String pendingSql;

    BatchedWrites(Connection connection) {
        this.connection = connection;
    }

    /** Queues a write, running the batch before it when its SQL text differs. */
    void add(SqlWrite write) throws SQLException {
        if (pending != null && !pendingSql.equals(write.sql())) {
            flush();
        }
        if (pending == null) {
            pending = connection.prepareStatement(write.sql());
            pendingSql = write.sql();
        }
        bind(pending, write);
        pending.addBatch();
    }

    /** Runs the queued batch, if any. */
    void flush() throws SQLException {
        if (pending == null) {
            return;
        }
        try {
            pending.executeBatch();
        } finally {
            closePending();
        }
    }

    /** Runs one write at once, alone (how the runner finds which event's write a database refuses). */
    static void runAlone(Connection connection, SqlWrite write) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
            bind(statement, write);
            statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, SqlWrite write) throws SQLException {
        for (int i = 0; i < write.parameters().size(); i++) {
            statement.setObject(i + 1, write.parameters().get(i));
        }
    }

    private void closePending() throws SQLException {
        PreparedStatement closing = pending;
        pending = null;
        pendingSql = null;
        closing.close();
    }

    /** Drops what is queued and not run (after a failure the transaction rolls back anyway). */
    @Override
    public void close() throws SQLException {
        if (pending != null) {
            closePending();
        }
    }
}
