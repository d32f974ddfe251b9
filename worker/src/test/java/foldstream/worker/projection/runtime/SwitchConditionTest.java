package foldstream.worker.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** When readers may switch to a generation being built: the rule {@link SwitchCondition} states, case by case. */
class SwitchConditionTest {

    private static final TopicPartition E0 = new TopicPartition("ex_users-events", 0);
    private static final TopicPartition E1 = new TopicPartition("ex_users-events", 1);
    private static final TopicPartition R0 = new TopicPartition("app-projection-dir-v1-g2-by-key-repartition", 0);

    private static SwitchCondition.Offsets input(Map<TopicPartition, Long> serving, Map<TopicPartition, Long> building) {
        return new SwitchCondition.Offsets(Set.of(E0, E1), serving, building, Map.of(), Map.of());
    }

    @Test
    void waitsWhileTheNewGenerationIsBehindOnAnyInputPartitionAndSaysByHowMuch() {
        SwitchCondition condition = new SwitchCondition();
        assertThat(condition.check(input(Map.of(E0, 100L, E1, 50L), Map.of(E0, 100L, E1, 20L))))
                .isEqualTo(new SwitchCondition.Decision.Wait(30, 0));
        // Ahead on one partition does not make up for behind on another.
        assertThat(condition.check(input(Map.of(E0, 100L, E1, 50L), Map.of(E0, 180L, E1, 49L))))
                .isEqualTo(new SwitchCondition.Decision.Wait(1, 0));
    }

    @Test
    void switchesWhenAtOrPastTheServingGenerationsCommittedOffsetsEverywhere() {
        assertThat(new SwitchCondition().check(input(Map.of(E0, 100L, E1, 50L), Map.of(E0, 100L, E1, 51L))))
                .isInstanceOf(SwitchCondition.Decision.Switch.class);
    }

    @Test
    void aPartitionWithNothingCommittedCountsAsOffsetZero() {
        // No event on E1 yet: neither generation committed there.
        assertThat(new SwitchCondition().check(input(Map.of(E0, 7L), Map.of(E0, 7L)))).isInstanceOf(SwitchCondition.Decision.Switch.class);
        // The serving generation committed on E1 and the new one not yet: behind by all of it.
        assertThat(new SwitchCondition().check(input(Map.of(E0, 7L, E1, 3L), Map.of(E0, 7L))))
                .isEqualTo(new SwitchCondition.Decision.Wait(3, 0));
    }

    @Test
    void aKeyedProjectionAlsoWaitsForTheRepartitionedRecordsSentBeforeItCaughtUpOnTheInput() {
        SwitchCondition condition = new SwitchCondition();
        // Caught up on the input; the repartition topic ends at 40 and only 25 are applied: the target is fixed at 40.
        assertThat(condition.check(new SwitchCondition.Offsets(Set.of(E0), Map.of(E0, 10L), Map.of(E0, 10L),
                Map.of(E0, 10L, R0, 25L), Map.of(R0, 40L)))).isEqualTo(new SwitchCondition.Decision.Wait(0, 15));
        // Live traffic moves the repartition topic's end on (60) and the input on: the target stays 40, so the switch comes.
        assertThat(condition.check(new SwitchCondition.Offsets(Set.of(E0), Map.of(E0, 30L), Map.of(E0, 20L),
                Map.of(E0, 20L, R0, 39L), Map.of(R0, 60L)))).isEqualTo(new SwitchCondition.Decision.Wait(10, 1));
        assertThat(condition.check(new SwitchCondition.Offsets(Set.of(E0), Map.of(E0, 40L), Map.of(E0, 30L),
                Map.of(E0, 30L, R0, 40L), Map.of(R0, 80L)))).isInstanceOf(SwitchCondition.Decision.Switch.class);
    }

    @Test
    void theSecondHopsTargetIsOnlyFixedOnceTheInputHasCaughtUp() {
        SwitchCondition condition = new SwitchCondition();
        // Behind on the input: the repartition topic being fully applied is not enough.
        assertThat(condition.check(new SwitchCondition.Offsets(Set.of(E0), Map.of(E0, 10L), Map.of(E0, 5L),
                Map.of(E0, 5L, R0, 40L), Map.of(R0, 40L)))).isEqualTo(new SwitchCondition.Decision.Wait(5, 0));
        assertThat(condition.check(new SwitchCondition.Offsets(Set.of(E0), Map.of(E0, 10L), Map.of(E0, 10L),
                Map.of(E0, 10L, R0, 50L), Map.of(R0, 52L)))).isEqualTo(new SwitchCondition.Decision.Wait(0, 2));
    }
}
