package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
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

    @Test
    void theProcessAndProjectionApplicationsCountForReadinessAndHealth() {
        AtomicReference<State> processState = new AtomicReference<>(State.CREATED);
        AtomicReference<Boolean> processTasks = new AtomicReference<>(false);
        StreamsApplicationWatch process = new StreamsApplicationWatch("process transfer", processState::get, processTasks::get, now::get);
        health.alsoWatching(() -> List.of(process.view()), true);
        PartitionActivity partition = metrics.partition("t", 0);
        partition.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        become(State.RUNNING);
        assertThat(health.readiness().up()).as("the process has not started").isFalse();

        processState.set(State.REBALANCING);
        processTasks.set(true);
        assertThat(health.readiness().up()).as("the process restores its first assignment").isFalse();
        assertThat(health.readiness().checks()).extracting(WorkerHealth.Check::name).containsExactly("streams", "process transfer");
        processState.set(State.RUNNING);
        process.stateChanged(State.RUNNING);
        assertThat(health.readiness().up()).isTrue();

        processState.set(State.REBALANCING);
        assertThat(health.readiness().up()).as("rebalancing, keeping its tasks").isTrue();
        processTasks.set(false);
        assertThat(health.readiness().up()).as("rebalancing with no task").isFalse();

        now.addAndGet(1_000);
        process.threadFailed(new IllegalStateException("boom"));
        assertThat(health.health().up()).as("a thread died and the process has not run since").isFalse();
        assertThat(check("process transfer").detail()).contains("boom");
        now.addAndGet(1_000);
        processState.set(State.RUNNING);
        process.stateChanged(State.RUNNING);
        assertThat(health.health().up()).as("the replacement runs").isTrue();
        processState.set(State.ERROR);
        assertThat(health.health().up()).isFalse();
    }

    @Test
    void aWorkerOfNoAggregateTypesIsJudgedByItsOtherApplicationsAlone() {
        StreamsApplicationWatch process = new StreamsApplicationWatch("process transfer", () -> State.RUNNING, () -> true, now::get);
        process.stateChanged(State.RUNNING);
        StreamsApplicationWatch projection = new StreamsApplicationWatch("projection balances", () -> State.REBALANCING, () -> true,
                now::get);
        health.alsoWatching(() -> List.of(process.view(), projection.view()), false);
        // The aggregates' state (CREATED here) is no part of it.
        assertThat(health.readiness().checks()).extracting(WorkerHealth.Check::name).containsExactly("process transfer", "projection balances");
        assertThat(health.readiness().up()).as("the projection restores its first assignment").isFalse();
        projection.stateChanged(State.RUNNING);
        assertThat(health.readiness().up()).as("rebalancing after running, keeping tasks").isTrue();
        assertThat(health.health().checks()).extracting(WorkerHealth.Check::name)
                .containsExactly("process transfer", "projection balances", "broker", "registry");
        assertThat(StreamsApplicationWatch.combined(List.of(State.RUNNING, State.REBALANCING))).isEqualTo(State.REBALANCING);
        assertThat(StreamsApplicationWatch.combined(List.of(State.RUNNING, State.ERROR, State.CREATED))).isEqualTo(State.ERROR);
        assertThat(StreamsApplicationWatch.combined(List.of(State.RUNNING, State.RUNNING))).isEqualTo(State.RUNNING);
    }
}
