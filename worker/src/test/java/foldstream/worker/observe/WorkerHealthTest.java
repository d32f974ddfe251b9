package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class WorkerHealthTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry(), now::get);
    private final StreamThreadFailures failures = new StreamThreadFailures(now::get);
    private final WorkerHealth health = new WorkerHealth(new HealthSettings(Duration.ofSeconds(10), Duration.ofSeconds(30)),
            state::get, metrics, failures);

    private void become(State next) {
        state.set(next);
        health.stateChanged(next);
    }

    private WorkerHealth.Check check(String name) {
        return health.health().checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void readyOnlyOnceTheFirstAssignmentRunsAndDuringRebalancesThatKeepTasks() {
        assertThat(health.readiness().up()).as("created").isFalse();
        become(State.REBALANCING);
        assertThat(health.readiness().up()).as("first assignment").isFalse();
        PartitionActivity partition = metrics.partition("t", 0);
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        become(State.RUNNING);
        assertThat(health.readiness().up()).isTrue();

        become(State.REBALANCING);
        assertThat(health.readiness().up()).as("rebalancing with its task").isTrue();
        partition.released();
        assertThat(health.readiness().up()).as("rebalancing with no task").isFalse();
        assertThat(health.readiness().checks().get(0).detail()).isEqualTo("rebalancing, with no task");

        become(State.PENDING_SHUTDOWN);
        assertThat(health.readiness().up()).isFalse();
    }

    @Test
    void aPartitionIsStalledOnlyAfterCommandsWaitedTheWholeTimeoutWithNothingDecided() {
        become(State.RUNNING);
        PartitionActivity partition = metrics.partition("t", 2);
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        now.addAndGet(60_000); // idle for a minute: nothing waits, so nothing is stalled
        assertThat(health.health().up()).isTrue();

        partition.waiting(5); // commands arrive on the idle partition
        now.addAndGet(9_000);
        assertThat(health.health().up()).isTrue();
        now.addAndGet(2_000);
        assertThat(health.health().up()).isFalse();
        assertThat(check("partitions").detail()).contains("t/2: 5 command(s) waiting, nothing decided for 11 s");

        partition.started(now.get());
        partition.finished();
        assertThat(health.health().up()).as("progress").isTrue();
    }

    @Test
    void oneCommandInDecideForTheTimeoutIsAStallToo() {
        become(State.RUNNING);
        PartitionActivity partition = metrics.partition("t", 1);
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        partition.started(now.get() - 500);
        now.addAndGet(10_001);
        assertThat(check("partitions").state()).isEqualTo(WorkerHealth.State.DOWN);
        assertThat(check("partitions").detail()).contains("t/1: one command has been in progress for 10 s");
        assertThat(partition.oldestUndecidedAgeMillis()).isEqualTo(10_501);
    }

    @Test
    void aThreadThatKeepsDyingWithNothingDecidedIsDownAndAReplacementThatWorksIsUp() {
        become(State.RUNNING);
        PartitionActivity partition = metrics.partition("t", 0);
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        now.addAndGet(1_000);
        failures.failed(new IllegalStateException("wrapper", new RuntimeException("registry refused")));
        assertThat(check("stream-threads").state()).isEqualTo(WorkerHealth.State.DOWN);
        assertThat(check("stream-threads").detail()).contains("registry refused");

        partition.released();
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS); // the replacement thread takes it back
        now.addAndGet(1_000);
        partition.started(now.get());
        partition.finished();
        assertThat(check("stream-threads").state()).isEqualTo(WorkerHealth.State.UP);
    }

    @Test
    void streamsInErrorIsDown() {
        become(State.ERROR);
        assertThat(health.health().up()).isFalse();
        assertThat(check("streams").detail()).isEqualTo("Kafka Streams is ERROR");
    }
}
