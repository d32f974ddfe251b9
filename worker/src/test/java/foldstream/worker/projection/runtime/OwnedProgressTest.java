package foldstream.worker.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What the JDBC runner remembers of the aggregates' stored progress, and when it must read again. */
class OwnedProgressTest {

    private static final TopicPartition P0 = new TopicPartition("ex_accounts-events", 0);
    private static final TopicPartition P1 = new TopicPartition("ex_accounts-events", 1);
    private static final JdbcPositions.Aggregate A1 = new JdbcPositions.Aggregate("ex_accounts", "a1");
    private static final JdbcPositions.Aggregate A2 = new JdbcPositions.Aggregate("ex_accounts", "a2");

    @Test
    void whatCommittedIsKnownPerPartitionUntilThePartitionIsForgotten() {
        OwnedProgress owned = new OwnedProgress();
        assertThat(owned.unknown(P0, List.of(A1, A2))).containsExactly(A1, A2);

        owned.remember(P0, Map.of(A1, Progress.NONE.at(3)));
        assertThat(owned.unknown(P0, List.of(A1, A2))).containsExactly(A2);
        assertThat(owned.known(P0, List.of(A1, A2))).isEqualTo(Map.of(A1, Progress.NONE.at(3)));
        assertThat(owned.unknown(P1, List.of(A1))).as("another partition knows nothing of it").containsExactly(A1);

        Progress stopped = Progress.NONE.at(3).stop("a gap");
        owned.remember(P0, Map.of(A1, stopped));
        assertThat(owned.known(P0, List.of(A1))).isEqualTo(Map.of(A1, stopped));

        owned.forget(P0);
        assertThat(owned.unknown(P0, List.of(A1))).containsExactly(A1);
    }

    @Test
    void pastItsLimitItForgetsEverythingRatherThanGrow() {
        OwnedProgress owned = new OwnedProgress();
        owned.remember(P1, Map.of(A1, Progress.NONE.at(1)));
        Map<JdbcPositions.Aggregate, Progress> many = new HashMap<>();
        for (int i = 0; i < OwnedProgress.LIMIT; i++) {
            many.put(new JdbcPositions.Aggregate("ex_accounts", "x" + i), Progress.NONE.at(1));
        }
        owned.remember(P0, many);
        assertThat(owned.unknown(P1, List.of(A1))).containsExactly(A1);
        assertThat(owned.unknown(P0, List.of(new JdbcPositions.Aggregate("ex_accounts", "x7")))).isEmpty();

        owned.forgetAll();
        assertThat(owned.unknown(P0, List.of(new JdbcPositions.Aggregate("ex_accounts", "x7")))).hasSize(1);
    }
}
