package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rolling restart under load, with real worker processes: three instances of one application;
 * each in turn is stopped with SIGTERM and started again (same state directory and port) while
 * commands flow, and {@code GET /ready} of all three, polled throughout, is never 503 (or refused) on
 * all three at once: the instances that keep their tasks stay ready through the rebalances. Every
 * command sent is answered.
 */
@ExtendWith(KafkaStackPerClass.class)
class RollingRestartIT {

    private static final String TYPE = "ex_counters";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final Duration READY = Duration.ofSeconds(90);

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(RollingRestartIT.class);

    @Test
    void neverAllThreeUnreadyAtOnce(KafkaStack.Endpoints stack) throws Exception {
        String run = "roll-" + Long.toString(System.nanoTime(), 36);
        List<WorkerProcess.Options> options = new ArrayList<>();
        List<WorkerProcess> running = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            WorkerProcess.Options worker = WorkerProcess.options(stack, run, "w" + i).types(TYPE).partitions(6);
            options.add(worker);
            running.add(workers.start(worker));
        }
        running.forEach(w -> w.awaitReady(READY));

        List<SteadyLoad.Command> supply = new ArrayList<>();
        // Far more than the roll needs at 100 a second: the load runs until it is stopped.
        for (int i = 0; i < 100_000; i++) {
            supply.add(new SteadyLoad.Command(run + "-cmd-" + i, run + "-c" + (i % 100), new Increment(1)));
        }
        AtomicInteger samples = new AtomicInteger();
        List<String> allUnready = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             CommittedTopic.Tail results = CommittedTopic.follow(stack.bootstrapServers(), TOPICS.results(),
                     r -> ExactlyOnceChecks.key(r).startsWith(run))) {
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            prober.scheduleWithFixedDelay(() -> {
                List<Integer> statuses = new ArrayList<>();
                synchronized (running) {
                    running.forEach(w -> statuses.add(w.get("/ready").statusCode()));
                }
                samples.incrementAndGet();
                if (statuses.stream().noneMatch(status -> status == 200)) {
                    allUnready.add(statuses.toString());
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            List<SteadyLoad.Command> sent;
            try (SteadyLoad load = SteadyLoad.start(stack.bootstrapServers(), codec, TOPICS.commands(), supply, 5, Duration.ofMillis(50))) {
                await("results coming").atMost(READY).until(() -> results.counted() >= 200);
                for (int i = 0; i < 3; i++) {
                    WorkerProcess stopping = running.get(i);
                    assertThat(stopping.terminate(Duration.ofSeconds(60))).as("exit status of " + stopping.name()).isZero();
                    WorkerProcess restarted = workers.start(options.get(i));
                    synchronized (running) {
                        running.set(i, restarted);
                    }
                    restarted.awaitReady(READY);
                }
                sent = load.stop(Duration.ofSeconds(30));
            }
            await("a result for every command").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                    .until(() -> results.counted() >= sent.size());
        } finally {
            prober.shutdownNow();
            prober.awaitTermination(30, TimeUnit.SECONDS);
        }
        assertThat(samples.get()).as("readiness samples").isGreaterThan(50);
        assertThat(allUnready).as("moments when no instance was ready (statuses of w1, w2, w3)").isEmpty();
    }
}
