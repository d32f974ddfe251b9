package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.stack.PostgresServer;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.projection.runtime.Progress;
import java.sql.Connection;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDBC runner's bookkeeping on a real PostgreSQL: tables created when missing (twice is fine),
 * positions that start at 0, move only by compare-and-set (a consumer that lost its partition finds
 * zero rows and rolls back its writes with it), failed attempts counted durably, per-aggregate
 * progress with the reason a stopped aggregate stopped.
 */
@ExtendWith(EmbeddedPostgres.class)
class JdbcPositionsIT {

    private final JdbcPositions positions = new JdbcPositions("test_positions");

    @Test
    void aPositionMovesOnlyFromWhereItStillIsAndTheLoserRollsBackItsWrites(PostgresServer postgres) throws Exception {
        try (Connection owner = postgres.connect(); Connection zombie = postgres.connect()) {
            positions.createTables(owner);
            positions.createTables(zombie);
            assertThat(positions.positionOrStart(owner, "p-v1", "t-events", 0)).isEqualTo(new JdbcPositions.Position(0, 0));
            assertThat(positions.positionOrStart(zombie, "p-v1", "t-events", 0)).isEqualTo(new JdbcPositions.Position(0, 0));
            owner.createStatement().execute("CREATE TABLE IF NOT EXISTS effects (what VARCHAR(50))");

            // The new owner applies 0..9; the zombie, still believing in position 0, tries 0..4 after it.
            owner.setAutoCommit(false);
            owner.createStatement().execute("INSERT INTO effects VALUES ('owner')");
            assertThat(positions.advance(owner, "p-v1", "t-events", 0, 0, 10)).isTrue();
            owner.commit();
            zombie.setAutoCommit(false);
            zombie.createStatement().execute("INSERT INTO effects VALUES ('zombie')");
            assertThat(positions.advance(zombie, "p-v1", "t-events", 0, 0, 5)).isFalse();
            zombie.rollback();

            var rows = owner.createStatement().executeQuery("SELECT what FROM effects");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("owner");
            assertThat(rows.next()).isFalse();
            owner.commit();
            assertThat(positions.position(owner, "p-v1", "t-events", 0)).contains(new JdbcPositions.Position(10, 0));
            assertThat(positions.position(owner, "p-v2", "t-events", 0)).isEqualTo(Optional.empty());
        }
    }

    @Test
    void failedAttemptsAreCountedDurablyAtTheirPositionAndClearedWhenItMoves(PostgresServer postgres) throws Exception {
        try (Connection connection = postgres.connect()) {
            positions.createTables(connection);
            positions.positionOrStart(connection, "q-v1", "t-events", 3);
            assertThat(positions.countFailure(connection, "q-v1", "t-events", 3, 0, "boom")).isEqualTo(OptionalLong.of(1));
            assertThat(positions.countFailure(connection, "q-v1", "t-events", 3, 0, "boom")).isEqualTo(OptionalLong.of(2));
            assertThat(positions.countFailure(connection, "q-v1", "t-events", 3, 7, "elsewhere")).isEmpty();
            try (Connection again = postgres.connect()) {
                assertThat(positions.position(again, "q-v1", "t-events", 3)).contains(new JdbcPositions.Position(0, 2));
            }
            connection.setAutoCommit(false);
            assertThat(positions.advance(connection, "q-v1", "t-events", 3, 0, 1)).isTrue();
            connection.commit();
            assertThat(positions.position(connection, "q-v1", "t-events", 3)).contains(new JdbcPositions.Position(1, 0));
        }
    }

    @Test
    void aggregatesKeepTheirVersionAndWhyTheyStopped(PostgresServer postgres) throws Exception {
        try (Connection connection = postgres.connect()) {
            positions.createTables(connection);
            assertThat(positions.aggregate(connection, "r-v1", "ex_accounts", "a1")).isEqualTo(Progress.NONE);
            positions.saveAggregate(connection, "r-v1", "ex_accounts", "a1", Progress.NONE.at(1));
            positions.saveAggregate(connection, "r-v1", "ex_accounts", "a1", Progress.NONE.at(2).stop("a gap"));
            Progress stored = positions.aggregate(connection, "r-v1", "ex_accounts", "a1");
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.stopped()).contains("a gap");
        }
    }
}
