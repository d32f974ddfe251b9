package foldstream.worker.projection.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tables a JDBC projection keeps its bookkeeping in, beside its own: the position (next offset
 * to read) per projection, topic and partition, moved only by compare-and-set in the transaction
 * of the writes it covers; and per aggregate the last version applied (the second guard against
 * duplicates, and how a gap is seen). Plain SQL that PostgreSQL, MySQL, H2, SQL Server and Oracle
 * all accept; created at start when missing.
 *
 * <pre>{@code
 * foldstream_projection_positions            (projection, topic, partition_no, next_offset, attempts, last_error, updated_at)
 * foldstream_projection_positions_aggregates (projection, aggregate_type, aggregate_id, version, stopped)
 * }</pre>
 */
public final class JdbcPositions {

    public static final String DEFAULT_TABLE = "foldstream_projection_positions";
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,50}(\\.[A-Za-z_][A-Za-z0-9_]{0,50})?");

    private final String positions;
    private final String aggregates;

    public JdbcPositions(String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("the positions table must be an SQL name (letters, digits, '_', optionally schema.table),"
                    + " was '" + table + "'");
        }
        this.positions = table;
        this.aggregates = table + "_aggregates";
    }

    public String table() {
        return positions;
    }

    /** Creates both tables when missing (idempotent; two instances starting at once are fine). */
    public void createTables(Connection connection) throws SQLException {
        create(connection, "CREATE TABLE IF NOT EXISTS " + positions + " (projection VARCHAR(200) NOT NULL, topic VARCHAR(255) NOT NULL,"
                + " partition_no INT NOT NULL, next_offset BIGINT NOT NULL, attempts INT NOT NULL, last_error VARCHAR(4000),"
                + " updated_at BIGINT NOT NULL, PRIMARY KEY (projection, topic, partition_no))");
        create(connection, "CREATE TABLE IF NOT EXISTS " + aggregates + " (projection VARCHAR(200) NOT NULL,"
                + " aggregate_type VARCHAR(200) NOT NULL, aggregate_id VARCHAR(500) NOT NULL, version BIGINT NOT NULL,"
                + " stopped VARCHAR(4000), PRIMARY KEY (projection, aggregate_type, aggregate_id))");
    }

    private static void create(Connection connection, String ddl) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        } catch (SQLException e) {
            // Two instances creating at once: one wins, the other's IF NOT EXISTS can still race on the catalog.
            if (!exists(connection, ddl)) {
                throw e;
            }
        }
    }

    private static boolean exists(Connection connection, String ddl) {
        String name = ddl.substring("CREATE TABLE IF NOT EXISTS ".length(), ddl.indexOf(' ', "CREATE TABLE IF NOT EXISTS ".length()));
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT 1 FROM " + name + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** One aggregate, by type and id: the key of the per-aggregate table within a projection. */
    public record Aggregate(String type, String id) {
    }

    /** A partition's stored position, with its failed attempts at that position. */
    public record Position(long nextOffset, int attempts) {
    }

    /** The stored position, creating it at offset 0 when there is none (its own transaction). */
    public Position positionOrStart(Connection connection, String projection, String topic, int partition) throws SQLException {
        connection.setAutoCommit(true);
        Optional<Position> stored = position(connection, projection, topic, partition);
        if (stored.isPresent()) {
            return stored.get();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + positions
                + " (projection, topic, partition_no, next_offset, attempts, last_error, updated_at) VALUES (?, ?, ?, 0, 0, NULL, ?)")) {
            insert.setString(1, projection);
            insert.setString(2, topic);
            insert.setInt(3, partition);
            insert.setLong(4, System.currentTimeMillis());
            insert.executeUpdate();
        } catch (SQLException e) {
            // Another instance inserted it first: read theirs.
            return position(connection, projection, topic, partition).orElseThrow(() -> e);
        }
        return new Position(0, 0);
    }

    public Optional<Position> position(Connection connection, String projection, String topic, int partition) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT next_offset, attempts FROM " + positions
                + " WHERE projection = ? AND topic = ? AND partition_no = ?")) {
            select.setString(1, projection);
            select.setString(2, topic);
            select.setInt(3, partition);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(new Position(rows.getLong(1), rows.getInt(2))) : Optional.empty();
            }
        }
    }

    /**
     * Moves the position from {@code expected} to {@code next} inside the caller's transaction.
     *
     * @return false when the stored position is no longer {@code expected} (another consumer moved
     *     it: this one lost the partition): the caller rolls back
     */
    public boolean advance(Connection connection, String projection, String topic, int partition, long expected, long next)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + positions
                + " SET next_offset = ?, attempts = 0, last_error = NULL, updated_at = ?"
                + " WHERE projection = ? AND topic = ? AND partition_no = ? AND next_offset = ?")) {
            update.setLong(1, next);
            update.setLong(2, System.currentTimeMillis());
            update.setString(3, projection);
            update.setString(4, topic);
            update.setInt(5, partition);
            update.setLong(6, expected);
            return update.executeUpdate() == 1;
        }
    }

    /**
     * Counts one more failed attempt at {@code offset}, durably (its own transaction), so that a
     * crash loop still ends when the policy says.
     *
     * @return the attempts so far, or empty when the position is no longer at {@code offset}
     */
    public OptionalLong countFailure(Connection connection, String projection, String topic, int partition, long offset, String error)
            throws SQLException {
        connection.setAutoCommit(true);
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + positions
                + " SET attempts = attempts + 1, last_error = ?, updated_at = ?"
                + " WHERE projection = ? AND topic = ? AND partition_no = ? AND next_offset = ?")) {
            update.setString(1, error.length() > 4000 ? error.substring(0, 4000) : error);
            update.setLong(2, System.currentTimeMillis());
            update.setString(3, projection);
            update.setString(4, topic);
            update.setInt(5, partition);
            update.setLong(6, offset);
            if (update.executeUpdate() != 1) {
                return OptionalLong.empty();
            }
        }
        return position(connection, projection, topic, partition).map(p -> OptionalLong.of(p.attempts())).orElse(OptionalLong.empty());
    }

    /** The progress of one aggregate in the caller's transaction; {@link Progress#NONE} when none. */
    public Progress aggregate(Connection connection, String projection, String type, String id) throws SQLException {
        Aggregate aggregate = new Aggregate(type, id);
        return aggregates(connection, projection, List.of(aggregate)).getOrDefault(aggregate, Progress.NONE);
    }

    /** Stores an aggregate's progress in the caller's transaction (update, else insert). */
    public void saveAggregate(Connection connection, String projection, String type, String id, Progress progress) throws SQLException {
        String stopped = progress.stopped().orElse(null);
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + aggregates
                + " SET version = ?, stopped = ? WHERE projection = ? AND aggregate_type = ? AND aggregate_id = ?")) {
            update.setLong(1, progress.version());
            update.setString(2, stopped);
            update.setString(3, projection);
            update.setString(4, type);
            update.setString(5, id);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + aggregates
                + " (projection, aggregate_type, aggregate_id, version, stopped) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, projection);
            insert.setString(2, type);
            insert.setString(3, id);
            insert.setLong(4, progress.version());
            insert.setString(5, stopped);
            insert.executeUpdate();
        }
    }

    /**
     * The stored progress of these aggregates in the caller's transaction; aggregates never stored
     * are absent. One primary-key lookup each, through one statement: a single query for many ids
     * ({@code aggregate_id IN (...)}, {@code = ANY(?)}, row values) was tried and was slower than the
     * lookups in PostgreSQL, whose planner, before the table has statistics, used the index for the
     * projection and type only and filtered every aggregate of the projection by the list; the
     * runner reads only aggregates it has not seen yet ({@link OwnedProgress}), so these lookups are
     * about one per aggregate, not one per event.
     */
    public Map<Aggregate, Progress> aggregates(Connection connection, String projection, Collection<Aggregate> wanted) throws SQLException {
        Map<Aggregate, Progress> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT version, stopped FROM " + aggregates
                + " WHERE projection = ? AND aggregate_type = ? AND aggregate_id = ?")) {
            for (Aggregate aggregate : wanted) {
                select.setString(1, projection);
                select.setString(2, aggregate.type());
                select.setString(3, aggregate.id());
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        found.put(aggregate, new Progress(rows.getLong(1), Optional.empty(), Optional.ofNullable(rows.getString(2))));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Stores the progress of several aggregates in the caller's transaction as two JDBC batches:
     * updates of those in {@code stored} (read by {@link #aggregates}), inserts of the others.
     */
    public void saveAggregates(Connection connection, String projection, Map<Aggregate, Progress> changed, Set<Aggregate> stored)
            throws SQLException {
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + aggregates
                + " SET version = ?, stopped = ? WHERE projection = ? AND aggregate_type = ? AND aggregate_id = ?");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + aggregates
                     + " (projection, aggregate_type, aggregate_id, version, stopped) VALUES (?, ?, ?, ?, ?)")) {
            boolean updates = false;
            boolean inserts = false;
            for (Map.Entry<Aggregate, Progress> entry : changed.entrySet()) {
                Aggregate aggregate = entry.getKey();
                Progress progress = entry.getValue();
                String stopped = progress.stopped().orElse(null);
                if (stored.contains(aggregate)) {
                    update.setLong(1, progress.version());
                    update.setString(2, stopped);
                    update.setString(3, projection);
                    update.setString(4, aggregate.type());
                    update.setString(5, aggregate.id());
                    update.addBatch();
                    updates = true;
                } else {
                    insert.setString(1, projection);
                    insert.setString(2, aggregate.type());
                    insert.setString(3, aggregate.id());
                    insert.setLong(4, progress.version());
                    insert.setString(5, stopped);
                    insert.addBatch();
                    inserts = true;
                }
            }
            if (updates) {
                update.executeBatch();
            }
            if (inserts) {
                insert.executeBatch();
            }
        }
    }
}
