package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the failover part computes from sends and answers: the figures it reports come from here. */
class FailoverTallyTest {

    @Test
    void aPartitionRecoversAtItsFirstAnswerToACommandSentAfterTheKill() {
        FailoverTally tally = new FailoverTally(10, 2);
        tally.sent(0, 0, 100);
        tally.sent(1, 1, 110);
        tally.killed(200);
        tally.sent(2, 0, 300);
        tally.sent(3, 1, 310);
        tally.answered(1, 320); // before the kill on partition 1, answered after it: not recovery
        tally.answered(0, 5_000); // partition 0 answers an old command first, then a new one
        tally.answered(2, 5_100);

        assertThat(tally.firstAnswerAfterKill(0)).hasValue(5_100);
        assertThat(tally.firstAnswerAfterKill(1)).isEmpty();
        tally.answered(3, 400);
        assertThat(tally.firstAnswerAfterKill(1)).hasValue(400);
        assertThat(tally.lastAnswerOn(0)).isEqualTo(5_100);
    }

    @Test
    void catchingUpWaitsForEveryCommandSentByThenAndTakesTheLastAnswer() {
        FailoverTally tally = new FailoverTally(10, 1);
        tally.sent(0, 0, 100);
        tally.sent(1, 0, 200);
        tally.sent(2, 0, 300);
        tally.answered(1, 900);

        assertThat(tally.allAnsweredOfSentBy(250)).isEmpty();
        tally.answered(0, 700);
        assertThat(tally.allAnsweredOfSentBy(250)).hasValue(900);
        assertThat(tally.allAnsweredOfSentBy(Long.MAX_VALUE)).isEmpty();
        assertThat(tally.unanswered()).isEqualTo(1);
    }

    @Test
    void countsCommandsAnsweredTwiceAndIgnoresAnswersToUnknownCommands() {
        FailoverTally tally = new FailoverTally(10, 1);
        tally.sent(0, 0, 100);
        tally.sent(1, 0, 100);
        tally.answered(0, 200);
        tally.answered(0, 300);
        tally.answered(1, 300);
        tally.answered(-1, 300); // not a command of this load (another prefix)
        tally.answered(7, 300); // not sent yet

        assertThat(tally.doubled()).isEqualTo(1);
        assertThat(tally.unanswered()).isZero();
        assertThat(tally.allAnsweredOfSentBy(Long.MAX_VALUE)).hasValue(300);
    }

    @Test
    void commandsAreRecordedInTheOrderSent() {
        FailoverTally tally = new FailoverTally(10, 1);
        assertThatThrownBy(() -> tally.sent(1, 0, 100)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSettingSplitsWorkerAndBrokerProperties() {
        FailoverSettings.Setting setting = FailoverSettings.Setting.parse("session.timeout.ms=3000,broker.group.min.session.timeout.ms=1000");

        assertThat(setting.worker()).isEqualTo(Map.of("session.timeout.ms", "3000"));
        assertThat(setting.broker()).isEqualTo(Map.of("group.min.session.timeout.ms", "1000"));
        assertThatThrownBy(() -> FailoverSettings.Setting.parse("nonsense")).hasMessageContaining("--failover-with");
        assertThat(FailoverBench.commandIndex("f123456")).isEqualTo(123_456); // past the encoded load, which repeats
        assertThat(FailoverBench.commandIndex("warmup-1")).isEqualTo(-1);
        assertThat(FailoverBench.minMedianMax(List.of(3.0, 1.0, 2.0))).isEqualTo("min / median / max 1.0 / 2.0 / 3.0");
    }
}
