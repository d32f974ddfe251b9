package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker restarts under a running worker process. The shared test broker cannot be restarted,
 * so this test runs its own: {@link KafkaBroker} (KRaft, one node) on fixed ports and a data
 * directory that survive the restart, with a schema registry server on it. Commands are flowing
 * when the broker stops; it stays away longer than the worker's transaction timeout (the worker
 * stays up and healthy meanwhile), comes back on the same address, and more commands follow. The
 * worker recovers by itself, and every command, sent before or after the restart, is answered
 * exactly once with its events once.
 */
class BrokerRestartIT {

    private static final String TYPE = "ex_counters";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final int COUNTERS = 60;
    private static final int BEFORE = 900;
    private static final int AFTER = 600;
    /** Longer than Kafka Streams' transaction timeout under exactly-once (10 s). */
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(BrokerRestartIT.class);

    @Test
    void theWorkerRecoversFromABrokerRestartAndAnswersEveryCommandOnce() throws Exception {
        String run = "restart-" + Long.toString(System.nanoTime(), 36);
        KafkaBroker.Settings settings = new KafkaBroker.Settings("127.0.0.1", WorkerProcess.freePort(), WorkerProcess.freePort(),
                workers.dir().resolve("broker"), Map.of());
        KafkaBroker broker = new KafkaBroker(settings);
        SchemaRegistryServer registryServer = null;
        try {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            registryServer = new SchemaRegistryServer(RegistryServerSettings.of(bootstrap).withPort(0)).start();
            WorkerProcess worker = workers.start(WorkerProcess.options(bootstrap, registryServer.url(), run, "worker")
                    .types(TYPE).partitions(3)).awaitReady(Duration.ofSeconds(90));

            Random random = new Random(run.hashCode());
            List<SteadyLoad.Command> before = commands(run, "before", BEFORE, random);
            List<SteadyLoad.Command> after = commands(run, "after", AFTER, random);
            try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(registryServer.url()));
                 CommittedTopic.Tail results = CommittedTopic.follow(bootstrap, TOPICS.results())
                         .countingDistinct(r -> ExactlyOnceChecks.header(r, ContractHeaders.COMMAND_ID))) {
                AvroWireCodec codec = new AvroWireCodec(registry, false);
                long start = System.nanoTime();
                int answeredAtStop;
                // 150 commands a second for 6 seconds: the broker goes away in the middle.
                try (SteadyLoad load = SteadyLoad.start(bootstrap, codec, TOPICS.commands(), before, 15, Duration.ofMillis(100))) {
                    await("a quarter of the first results").atMost(Duration.ofSeconds(60)).until(() -> results.distinct() >= BEFORE / 4);
                    broker.close();
                    answeredAtStop = results.distinct();
                    log(start, "broker stopped with " + answeredAtStop + " of " + load.sent() + " sent commands answered");
                    assertThat(answeredAtStop).as("commands were still unanswered when the broker stopped").isLessThan(BEFORE);
                    // Away for longer than the worker's transaction timeout: the transaction it had open cannot just resume.
                    await("the worker stays up and healthy while the broker is away").during(OUTAGE).atMost(OUTAGE.plusSeconds(15))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> worker.isAlive() && worker.get("/health").statusCode() == 200);

                    broker = new KafkaBroker(settings);
                    broker.start();
                    log(start, "broker started again on " + broker.bootstrapServers());
                    load.done().get(3, TimeUnit.MINUTES);
                }
                await("every command sent before the restart answered").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                        .until(() -> results.distinct() >= BEFORE);
                log(start, "all " + BEFORE + " commands from before the restart answered");
                try (SteadyLoad load = SteadyLoad.start(bootstrap, codec, TOPICS.commands(), after, 30, Duration.ofMillis(100))) {
                    load.done().get(2, TimeUnit.MINUTES);
                }
                await("every command sent after the restart answered").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                        .until(() -> results.distinct() >= BEFORE + AFTER);
                log(start, "all " + AFTER + " commands from after the restart answered");
                assertThat(worker.isAlive()).as("the worker kept running").isTrue();
                assertThat(worker.get("/ready").statusCode()).isEqualTo(200);
                assertThat(worker.terminate(Duration.ofSeconds(60))).as("exit status after SIGTERM").isZero();

                CommittedTopic.awaitNoOpenTransactions(bootstrap, List.of(TOPICS.results(), TOPICS.events()), Duration.ofSeconds(60));
                List<ConsumerRecord<byte[], byte[]>> events = CommittedTopic.readAll(bootstrap, TOPICS.events());
                ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, CommittedTopic.readAll(bootstrap, TOPICS.results()), events,
                        id -> id.startsWith(run));
                List<SteadyLoad.Command> all = new ArrayList<>(before);
                all.addAll(after);
                checks.assertOneResultPerCommand(all.stream().map(SteadyLoad.Command::id).toList());
                checks.assertEventsContiguousAndUnique();
                checks.assertEventsAreThoseOfAcceptedResults();

                Map<String, Long> expected = new HashMap<>();
                all.forEach(c -> expected.merge(c.aggregateId(), (long) ((Increment) c.body()).getBy(), Long::sum));
                Map<String, Long> last = new HashMap<>();
                checks.eventsByAggregate().forEach((counter, counterEvents) -> last.put(counter,
                        codec.decode(counterEvents.get(counterEvents.size() - 1).value(), Incremented.class).getValue()));
                assertThat(last).as("each counter's last value is the sum of its increments").isEqualTo(expected);
            }
        } finally {
            if (registryServer != null) {
                registryServer.close();
            }
            broker.close();
        }
    }

    /** Increments of 1 to 9 (each writes one event) over the run's counters. */
    private static List<SteadyLoad.Command> commands(String run, String phase, int count, Random random) {
        List<SteadyLoad.Command> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            commands.add(new SteadyLoad.Command(run + "-" + phase + "-" + i, run + "-c" + random.nextInt(COUNTERS),
                    new Increment(1 + random.nextInt(9))));
        }
        return commands;
    }

    private static void log(long start, String what) {
        System.out.printf("BrokerRestartIT +%.1fs: %s%n", (System.nanoTime() - start) / 1e9, what);
    }
}
