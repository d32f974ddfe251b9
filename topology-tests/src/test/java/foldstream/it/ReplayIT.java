package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.ControlResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.examples.Counters;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay on the real broker: after {@code evolve} changes, a replay instruction on each partition of
 * S-control rebuilds that partition's snapshots from S-events while commands keep arriving (they wait
 * for it, then are decided once each), answered by a ControlResult in the same partition of
 * S-control-results; and a gap in the events fails the replay, naming the aggregate and version.
 */
@ExtendWith(KafkaStack.class)
class ReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The counter after a change to evolve: it now counts tenfold (decide is unchanged). */
    static final class TenfoldCounters implements Aggregate<CounterState> {
        private final Counters counters = new Counters();

        @Override
        public CounterState initialState() {
            return counters.initialState();
        }

        @Override
        public Decision decide(CounterState state, SpecificRecord command) {
            return counters.decide(state, command);
        }

        @Override
        public CounterState evolve(CounterState state, SpecificRecord event) {
            return new CounterState(state.getValue() + 10L * ((Incremented) event).getBy());
        }
    }

    private static KafkaStack.Endpoints stack;
    private static HttpSchemaRegistryClient registry;
    private static AvroWireCodec codec;

    @BeforeAll
    static void connect(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        codec = new AvroWireCodec(registry, true);
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    private static AggregateType<CounterState> counters(String name, Aggregate<CounterState> aggregate) {
        return AggregateType.builder(name, CounterState.class, aggregate)
                .command(Increment.class, Creation.EITHER).events(Incremented.class).build();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 2), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> increment(String topic, String counter, int by, String commandId) {
        Headers headers = new RecordHeaders().add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(commandId));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, Increment.getClassSchema()), new Increment(by));
        return new ProducerRecord<>(topic, null, counter.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    /** A replay instruction on a partition of S-control, as the contract describes it. */
    private static ProducerRecord<byte[], byte[]> replay(String controlTopic, int partition, String instructionId) {
        Headers headers = new RecordHeaders().add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(instructionId));
        ControlInstruction instruction = new ControlInstruction(ControlAction.REPLAY);
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(controlTopic, instruction.getSchema()), instruction);
        return new ProducerRecord<>(controlTopic, partition, Integer.toString(partition).getBytes(StandardCharsets.UTF_8), value, headers);
    }

    /** The control results of the given instruction ids, once each has one. */
    private static Map<String, List<ControlResult>> controlResults(AggregateTopics topics, Set<String> ids) {
        List<ConsumerRecord<byte[], byte[]>> records = await("every instruction answered").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> InProcessWorker.readCommitted(stack, topics.controlResults()),
                        all -> all.stream().map(r -> header(r, ContractHeaders.COMMAND_ID)).collect(Collectors.toSet()).containsAll(ids));
        return records.stream().filter(r -> ids.contains(header(r, ContractHeaders.COMMAND_ID))).collect(Collectors.groupingBy(
                r -> header(r, ContractHeaders.COMMAND_ID), Collectors.mapping(r -> codec.decode(r.value(), ControlResult.class),
                        Collectors.toList())));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return ContractHeaders.text(record.headers(), name);
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the replays were not sent in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One increment sent straight to S-commands, and where it landed. */
    record Sent(String counter, int by, String commandId, Future<RecordMetadata> where) {
    }

    @Test
    void replayRebuildsEveryPartitionWithTheNewEvolveWhileCommandsKeepComing(@TempDir Path disk) throws Exception {
        String name = "it_replay_counters";
        AggregateType<CounterState> before = counters(name, new Counters());
        AggregateType<CounterState> tenfold = counters(name, new TenfoldCounters());
        AggregateTopics topics = AggregateTopics.of(name);
        String app = "it-replay";
        int partitions = 3;
        int counters = 30;
        Random random = new Random(7);
        Map<String, Long> sums = new HashMap<>();
        Set<String> firstCommands = new HashSet<>();

        // Before: 300 increments, folded by the old evolve into the snapshots (and their changelog).
        InProcessWorker.createTopics(stack, partitions, List.of(before));
        try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(before)).partitions(partitions)
                .stateDir(disk.resolve("state")).start();
             CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec, List.of(name))) {
            List<CompletableFuture<CommandResult>> results = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String counter = "c-" + random.nextInt(counters);
                int by = 1 + random.nextInt(9);
                String commandId = "first-" + i;
                sums.merge(counter, (long) by, Long::sum);
                firstCommands.add(commandId);
                results.add(gateway.send(name, counter, new Increment(by), SendOptions.defaults().withCommandId(commandId).withTimeout(WAIT)));
            }
            for (CompletableFuture<CommandResult> result : results) {
                assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS).getOutcome()).isEqualTo(Outcome.ACCEPTED);
            }
            assertThat(worker.snapshot(before, "c-0").state().getValue()).isEqualTo(sums.get("c-0"));
        }

        // After: evolve changed. Commands keep coming from another thread while the replays go in between them.
        List<Sent> sent = new ArrayList<>();
        Map<Integer, Future<RecordMetadata>> replays = new ConcurrentHashMap<>();
        Map<Integer, String> replayIds = new HashMap<>();
        try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(tenfold)).partitions(partitions).threads(2)
                .commitIntervalMs(300).stateDir(disk.resolve("state")).start();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            CountDownLatch halfway = new CountDownLatch(1);
            CountDownLatch replaysSent = new CountDownLatch(1);
            Thread sender = new Thread(() -> {
                for (int i = 0; i < 400; i++) {
                    if (i == 200) {
                        // Half before the replays, half after them: each partition gets commands on both sides.
                        halfway.countDown();
                        awaitQuietly(replaysSent);
                    }
                    String counter = "c-" + random.nextInt(counters);
                    int by = 1 + random.nextInt(9);
                    String commandId = "during-" + i;
                    sent.add(new Sent(counter, by, commandId, producer.send(increment(topics.commands(), counter, by, commandId))));
                }
            }, "replay-it-commands");
            sender.start();
            assertThat(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (int p = 0; p < partitions; p++) {
                replayIds.put(p, "replay-" + p + "-" + UUID.randomUUID());
                replays.put(p, producer.send(replay(topics.control(), p, replayIds.get(p))));
            }
            replaysSent.countDown();
            sender.join(WAIT.toMillis());
            assertThat(sender.isAlive()).isFalse();
            producer.flush();
            sent.forEach(s -> sums.merge(s.counter(), (long) s.by(), Long::sum));

            Set<String> expectedIds = new HashSet<>(firstCommands);
            sent.forEach(s -> expectedIds.add(s.commandId()));
            List<ConsumerRecord<byte[], byte[]>> results = await("every command answered").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> InProcessWorker.readCommitted(stack, topics.results()),
                            all -> all.stream().map(r -> header(r, ContractHeaders.COMMAND_ID)).collect(Collectors.toSet())
                                    .containsAll(expectedIds));

            // Exactly one result per command and per replay.
            Map<String, List<CommandResult>> answers = results.stream().collect(Collectors.groupingBy(
                    r -> header(r, ContractHeaders.COMMAND_ID), Collectors.mapping(r -> codec.decode(r.value(), CommandResult.class),
                            Collectors.toList())));
            assertThat(answers.keySet()).isEqualTo(expectedIds);
            answers.forEach((id, each) -> assertThat(each).as(id).hasSize(1));

            // Exactly one event per command, contiguous versions per counter, each result naming its event's version.
            List<ConsumerRecord<byte[], byte[]>> events = InProcessWorker.readCommitted(stack, topics.events());
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byCounter = events.stream()
                    .collect(Collectors.groupingBy(ReplayIT::key));
            byCounter.forEach((counter, mine) -> {
                mine.sort((x, y) -> Long.compare(x.offset(), y.offset()));
                assertThat(mine).as(counter).extracting(e -> Long.parseLong(header(e, ContractHeaders.AGGREGATE_VERSION)))
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, mine.size()).boxed().toList());
            });
            Map<String, ConsumerRecord<byte[], byte[]>> eventByCommand = events.stream()
                    .collect(Collectors.toMap(e -> header(e, ContractHeaders.COMMAND_ID), e -> e));
            assertThat(eventByCommand).hasSize(events.size()).hasSize(300 + 400);
            for (Sent s : sent) {
                CommandResult result = answers.get(s.commandId()).get(0);
                assertThat(result.getOutcome()).as(s.commandId()).isEqualTo(Outcome.ACCEPTED);
                assertThat(Long.toString(result.getVersion())).as(s.commandId())
                        .isEqualTo(header(eventByCommand.get(s.commandId()), ContractHeaders.AGGREGATE_VERSION));
            }

            // Each replay: one DONE result in its own partition of S-control-results, having folded at least
            // every event written before the instructions were sent, and at most every event of its partition.
            Map<String, List<ControlResult>> controls = controlResults(topics, new HashSet<>(replayIds.values()));
            List<ConsumerRecord<byte[], byte[]>> controlRecords = InProcessWorker.readCommitted(stack, topics.controlResults());
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                List<ControlResult> mine = controls.get(replayIds.get(p));
                assertThat(mine).as("results of the replay of partition " + p).hasSize(1);
                ControlResult replay = mine.get(0);
                assertThat(replay.getOutcome()).as(replay.toString()).isEqualTo(ControlOutcome.DONE);
                assertThat(replay.getAction()).isEqualTo(ControlAction.REPLAY);
                assertThat(replay.getPartition()).isEqualTo(p);
                assertThat(replay.getAggregateType()).isEqualTo(name);
                assertThat(controlRecords).filteredOn(r -> replayIds.get(partition).equals(header(r, ContractHeaders.COMMAND_ID)))
                        .extracting(ConsumerRecord::partition).containsExactly(p);
                long earlier = events.stream().filter(e -> e.partition() == partition)
                        .filter(e -> firstCommands.contains(header(e, ContractHeaders.COMMAND_ID))).count();
                long all = events.stream().filter(e -> e.partition() == partition).count();
                assertThat(replay.getEventsFolded()).as("events folded in partition " + p).isBetween(earlier, all);
                assertThat(replay.getAggregatesRebuilt()).as("aggregates rebuilt in partition " + p).isPositive();
            }

            // Every state is what a fresh fold of all its events with the new evolve gives: ten times the sum.
            EventFold<CounterState> fresh = new EventFold<>(tenfold, codec);
            events.forEach(fresh::add);
            assertThat(fresh.snapshots().keySet()).isEqualTo(sums.keySet());
            for (Map.Entry<String, Snapshot<CounterState>> expected : fresh.snapshots().entrySet()) {
                Snapshot<CounterState> stored = worker.snapshot(tenfold, expected.getKey());
                assertThat(stored.version()).as(expected.getKey()).isEqualTo(expected.getValue().version());
                assertThat(stored.state()).as(expected.getKey()).isEqualTo(expected.getValue().state())
                        .isEqualTo(new CounterState(10 * sums.get(expected.getKey())));
            }
            assertThat(worker.failures()).isEmpty();
        }
    }

    @Test
    void replayRefusesAGapInTheEventsAndNamesTheAggregateAndVersion() throws Exception {
        String name = "it_replay_gaps";
        AggregateType<CounterState> type = counters(name, new Counters());
        AggregateTopics topics = AggregateTopics.of(name);
        try (InProcessWorker worker = InProcessWorker.with(stack, "it-replay-gaps", List.of(type)).start();
             CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec, List.of(name));
             KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 1; i <= 2; i++) {
                CommandResult result = gateway.send(name, "g1", new Increment(i)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(result.getVersion()).isEqualTo(i);
            }
            // Someone else wrote to the event store: version 5 where 3 comes next.
            Headers forged = new RecordHeaders()
                    .add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(5))
                    .add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8("forged"));
            producer.send(new ProducerRecord<>(topics.events(), 0, "g1".getBytes(StandardCharsets.UTF_8),
                    codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.events(), Incremented.getClassSchema()),
                            new Incremented(1, 99L)), forged)).get();
            producer.send(replay(topics.control(), 0, "replay-gap")).get();

            ControlResult failed = controlResults(topics, Set.of("replay-gap")).get("replay-gap").get(0);
            assertThat(failed.getOutcome()).isEqualTo(ControlOutcome.FAILED);
            assertThat(failed.getErrorCode()).isEqualTo("INCONSISTENT_EVENTS");
            assertThat(failed.getMessage()).contains("'g1'").contains("version 5 where version 3 was expected");
            assertThat(failed.getEventsFolded()).as("g1's good events").isEqualTo(2);

            // The aggregate with the gap stays at its last good version, and the worker goes on from there.
            CommandResult next = gateway.send(name, "g1", new Increment(1)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(next.getOutcome() + "@" + next.getVersion()).isEqualTo("ACCEPTED@3");
            assertThat(worker.snapshot(type, "g1").state()).isEqualTo(new CounterState(4L));
            assertThat(worker.failures()).isEmpty();
        }
    }
}
