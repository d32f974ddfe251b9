package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.protocol.Outcome;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scaling out and in under load, with real worker processes: three instances of one application
 * share the six partitions of {@code ex_counters}; while a producer sends thousands of increments
 * over hundreds of counters, a fourth instance joins and takes partitions, then one of the first
 * three is stopped with SIGTERM and its partitions move. About one send in twenty is a retry of an
 * earlier command. Every send is answered once (a retry with its command's first result), every
 * counter's events run 1, 2, 3, ... without gap or repeat, and each counter ends at the sum of the
 * increments sent to it, each counted once.
 */
@ExtendWith(KafkaStack.class)
class ScaleOutIT {

    private static final String TYPE = "ex_counters";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final int COUNTERS = 300;
    /**
     * Sends. Kept well below what would put more than Kafka Streams' acceptable.recovery.lag (10,000
     * changelog records) on a task: under it a new instance counts as caught up and takes partitions
     * at once; over it, it would only warm up until the next probing rebalance, ten minutes later.
     */
    private static final int COMMANDS = 4_000;
    private static final Duration READY = Duration.ofSeconds(90);

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(ScaleOutIT.class);

    @Test
    void aFourthInstanceJoinsAndOneStopsWhileCommandsFlowAndEveryCommandIsAnsweredOnce(KafkaStack.Endpoints stack) throws Exception {
        String run = "scale-" + Long.toString(System.nanoTime(), 36);
        List<WorkerProcess> first = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            first.add(workers.start(worker(stack, run, "w" + i)));
        }
        first.forEach(w -> w.awaitReady(READY));

        Random random = new Random(run.hashCode());
        List<SteadyLoad.Command> commands = new ArrayList<>();
        Map<String, Long> expectedValue = new HashMap<>();
        Map<String, Integer> expectedEvents = new HashMap<>();
        for (int i = 0; i < COMMANDS; i++) {
            if (i > 100 && random.nextInt(20) == 0) {
                // A client's retry: an earlier command again, same id; it must not count twice.
                commands.add(commands.get(i - 1 - random.nextInt(100)));
                continue;
            }
            String counter = run + "-c" + random.nextInt(COUNTERS);
            int by = random.nextInt(21) - 5;   // 0 changes nothing: NO_CHANGE, no event
            commands.add(new SteadyLoad.Command(run + "-cmd-" + i, counter, new Increment(by)));
            expectedValue.merge(counter, (long) by, Long::sum);
            expectedEvents.merge(counter, by == 0 ? 0 : 1, Integer::sum);
        }

        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             CommittedTopic.Tail results = CommittedTopic.follow(stack.bootstrapServers(), TOPICS.results())
                     .countingDistinct(r -> ExactlyOnceChecks.key(r).startsWith(run) ? ExactlyOnceChecks.header(r, ContractHeaders.COMMAND_ID) : null);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            long start = System.nanoTime();
            WorkerProcess fourth;
            // 120 commands a second: the load lasts about half a minute, across both changes of membership.
            try (SteadyLoad load = SteadyLoad.start(stack.bootstrapServers(), codec, TOPICS.commands(), commands, 6, Duration.ofMillis(50))) {
                await("a fifth of the results").atMost(Duration.ofSeconds(90)).until(() -> results.counted() >= COMMANDS / 5);

                WorkerProcess joining = workers.start(worker(stack, run, "w4")).awaitReady(READY);
                await("the fourth instance owns command partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !joining.assigned(admin, TOPICS.commands()).isEmpty());
                log(start, "w4 joined with " + joining.assigned(admin, TOPICS.commands()) + "; results so far " + results.counted());
                fourth = joining;

                int answeredWhenJoined = results.counted();
                await("more results after the fourth joined").atMost(Duration.ofSeconds(90))
                        .until(() -> results.counted() >= answeredWhenJoined + COMMANDS / 10);
                Set<TopicPartition> leaving = first.get(0).assigned(admin, TOPICS.commands());
                assertThat(first.get(0).terminate(Duration.ofSeconds(60))).as("exit status of w1 after SIGTERM").isZero();
                log(start, "w1 stopped, it had " + leaving + "; results so far " + results.counted());

                load.done().get(2, TimeUnit.MINUTES);
                log(start, "all " + COMMANDS + " commands sent");
            }
            await("a result for every command").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                    .until(() -> results.counted() >= COMMANDS);
            log(start, "all results in");
            for (WorkerProcess w : List.of(first.get(1), first.get(2), fourth)) {
                assertThat(w.terminate(Duration.ofSeconds(60))).as("exit status of " + w.name() + " after SIGTERM").isZero();
            }
            // Every worker closed cleanly: no transaction is left open, so everything committed is readable.
            CommittedTopic.awaitNoOpenTransactions(stack.bootstrapServers(), List.of(TOPICS.results(), TOPICS.events()), Duration.ofSeconds(60));

            List<ConsumerRecord<byte[], byte[]>> resultRecords = CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.results());
            List<ConsumerRecord<byte[], byte[]>> eventRecords = CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.events());
            ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, resultRecords, eventRecords, id -> id.startsWith(run));
            checks.assertOneResultPerSend(commands.stream().map(SteadyLoad.Command::id).toList());
            checks.assertEventsContiguousAndUnique();
            checks.assertEventsAreThoseOfAcceptedResults();
            assertThat(checks.outcomes()).containsOnlyKeys(Outcome.ACCEPTED, Outcome.NO_CHANGE);

            Map<String, Long> finalValue = new HashMap<>();
            Map<String, Integer> eventCount = new HashMap<>();
            checks.eventsByAggregate().forEach((counter, events) -> {
                eventCount.put(counter, events.size());
                finalValue.put(counter, codec.decode(events.get(events.size() - 1).value(), Incremented.class).getValue());
            });
            Map<String, Long> expectedNonEmpty = expectedValue.entrySet().stream()
                    .filter(e -> expectedEvents.get(e.getKey()) > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(eventCount).as("events per counter").isEqualTo(expectedEvents.entrySet().stream()
                    .filter(e -> e.getValue() > 0).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
            assertThat(finalValue).as("each counter's last value is the sum of its increments").isEqualTo(expectedNonEmpty);
        }
    }

    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name) {
        return WorkerProcess.options(stack, run, name)
                .types(TYPE)
                .partitions(6);
    }


    private static void log(long start, String what) {
        System.out.printf("ScaleOutIT +%.1fs: %s%n", (System.nanoTime() - start) / 1e9, what);
    }
}
