package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.ControlResult;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.Counters;
import foldstream.worker.observe.RebuildMeters;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.CommandProcessor;
import foldstream.worker.runtime.CommitCounter;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.runtime.RebuildBoard;
import foldstream.worker.runtime.RebuildProgress;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * Pure event sourcing's rebuild from {@code S-events}, one task at a time: in bounded steps (a
 * punctuation each, each asking for a commit), interrupted and resumed from its checkpoint without
 * folding an event twice, equal to a fresh fold, never deciding a command against a partial store,
 * and skipped when the store is already current. The stores outlive the processor, as a task's
 * stores outlive a restart under transactional state stores.
 */
class RebuildTest {

    private static final AggregateType<CounterState> TYPE = Counters.type().withStorageMode(StorageMode.EVENTS_ONLY);
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE.name());
    private static final int STEP = 3;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry, true);
    private final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> snapshots = store(TOPICS.snapshotStore(), Serdes.String());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RebuildBoard board = RebuildMeters.board(meters);
    private final CommitCounter commits = new CommitCounter(TOPICS.commitCounter());
    private final List<ConsumerRecord<byte[], byte[]>> log;
    private long commandOffset;

    RebuildTest() {
        store(TOPICS.commandIdStore(), Serdes.String());
        store(TOPICS.heldStore(), Serdes.Long());
        commits.init(context.getStateStoreContext(), commits);
        context.addStateStore(commits);
        // 20 events over 4 counters, more than six steps' worth.
        int[] increments = new int[40];
        for (int i = 0; i < 20; i++) {
            increments[2 * i] = i % 4;
            increments[2 * i + 1] = i + 1;
        }
        log = new ArrayList<>(ReplayTest.history(registry, increments));
    }

    private <K> KeyValueStore<K, byte[]> store(String name, org.apache.kafka.common.serialization.Serde<K> keys) {
        KeyValueStore<K, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    /** A task (re)starting on the same stores: a new processor, as after a crash or a restart. */
    private CommandProcessor<CounterState> start() {
        return start(TYPE);
    }

    private CommandProcessor<CounterState> start(AggregateType<CounterState> type) {
        return start(type, STEP, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private CommandProcessor<CounterState> start(AggregateType<CounterState> type, int step, Clock clock) {
        context.resetForwards();
        context.resetCommit();
        CommandProcessor<CounterState> processor = new CommandProcessor<>(type, codec, ProcessingOptions.DEFAULTS.withRebuildBatch(step),
                clock, (config, topic, partition, each) -> eventsOnly(topic, log).forEach(each), board);
        processor.init(context);
        return processor;
    }

    private double gauge(String name) {
        return meters.get(name).tags("type", TYPE.name(), "partition", "0").gauge().value();
    }

    private void tick() {
        context.scheduledPunctuators().stream().filter(p -> p.getInterval().equals(Duration.ofMillis(5)))
                .reduce((first, last) -> last).orElseThrow().getPunctuator().punctuate(0);
    }

    private RebuildProgress progress() {
        return board.get(TYPE.name(), 0);
    }

    private void send(CommandProcessor<CounterState> processor, String counter, int by) {
        context.setRecordMetadata(TOPICS.commands(), 0, commandOffset++);
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(TOPICS.commands(), Increment.getClassSchema()), new Increment(by));
        processor.process(new Record<>(counter.getBytes(StandardCharsets.UTF_8), value, 0L, new RecordHeaders()));
    }

    private List<CommandResult> results() {
        List<CommandResult> results = new ArrayList<>();
        context.forwarded().stream().filter(f -> f.childName().orElseThrow().startsWith(TOPICS.results()))
                .forEach(f -> results.add(codec.decode(f.record().value(), CommandResult.class)));
        return results;
    }

    /** What the task wrote to S-events, appended to the log as the broker would once committed. */
    private void commitEventsToLog() {
        context.forwarded().stream().filter(f -> f.childName().orElseThrow().startsWith(TOPICS.events())).forEach(f ->
                log.add(new ConsumerRecord<>(TOPICS.events(), 0, log.size(), 0L, TimestampType.CREATE_TIME, f.record().key().length,
                        f.record().value().length, f.record().key(), f.record().value(), new RecordHeaders(f.record().headers().toArray()),
                        Optional.empty())));
    }

    private void assertStoreEqualsAFreshFold() {
        EventFold<CounterState> fresh = new EventFold<>(TYPE, codec);
        log.forEach(fresh::add);
        SnapshotCodec envelope = new SnapshotCodec();
        for (Map.Entry<String, Snapshot<CounterState>> expected : fresh.snapshots().entrySet()) {
            Snapshot<CounterState> stored = envelope.decode(snapshots.get(expected.getKey()), codec, CounterState.class);
            assertThat(stored.version()).as(expected.getKey()).isEqualTo(expected.getValue().version());
            assertThat(stored.state()).as(expected.getKey()).isEqualTo(expected.getValue().state());
        }
    }

    @Test
    void aRebuildInterruptedMidwayResumesFromItsCheckpointAndNoCommandSeesAPartialStore() {
        CommandProcessor<CounterState> first = start();
        assertThat(progress().running()).isTrue();
        for (int i = 0; i < 3; i++) {
            tick();
            assertThat(context.committed()).as("each step asks for a commit").isTrue();
            context.resetCommit();
        }
        assertThat(progress().folded()).isEqualTo(3 * STEP);
        assertThat(progress().toGo()).isEqualTo(20 - 3 * STEP);
        assertThat(gauge("foldstream.rebuild.events.to.go")).as("the scrape shows what is left").isEqualTo(20 - 3 * STEP);
        assertThat(gauge("foldstream.rebuild.running")).isEqualTo(1);
        send(first, "c0", 100); // takes a step itself, then waits
        assertThat(results()).as("a command during the rebuild waits").isEmpty();
        long foldedBefore = progress().folded();
        assertThat(foldedBefore).isLessThan(20);
        first.close(); // a crash: what the steps committed stays, and so does the held command

        CommandProcessor<CounterState> second = start();
        assertThat(progress().running()).isTrue();
        int ticks = 0;
        while (progress().running()) {
            assertThat(results()).as("no command decided before the rebuild is done").isEmpty();
            tick();
            ticks++;
            assertThat(ticks).isLessThan(20);
        }
        assertThat(progress().folded()).as("events folded after the restart: none twice").isEqualTo(20 - foldedBefore);
        assertThat(progress().failures()).isZero();
        assertThat(gauge("foldstream.rebuild.events.to.go")).isZero();
        assertThat(gauge("foldstream.rebuild.running")).isZero();
        assertStoreEqualsAFreshFold();

        tick(); // the held command, against the complete store: c0 had 5 events
        assertThat(results()).singleElement().satisfies(r -> assertThat(r.getVersion()).isEqualTo(6));
        second.close();
    }

    @Test
    void aRestartOnACurrentStoreFoldsNothing() {
        CommandProcessor<CounterState> first = start();
        while (progress().running()) {
            tick();
        }
        assertThat(progress().folded()).isEqualTo(20);
        send(first, "c1", 1);
        assertThat(results()).singleElement().satisfies(r -> assertThat(r.getVersion()).isEqualTo(6));
        commitEventsToLog();
        first.close();

        CommandProcessor<CounterState> second = start();
        send(second, "c2", 1);
        // Its first step found the store current: only the task's own event came after the checkpoint.
        assertThat(progress().running()).isFalse();
        assertThat(progress().folded()).as("events folded on a restart with a current store").isZero();
        assertThat(progress().skipped()).as("the task's own event, already in the store").isEqualTo(1);
        assertThat(results()).singleElement().satisfies(r -> assertThat(r.getVersion()).isEqualTo(6));
        commitEventsToLog();
        assertStoreEqualsAFreshFold();
        second.close();
    }

    @Test
    void aReplayReadsTheEventsOnlyOnceTheTransactionItCameInHasCommitted() {
        CommandProcessor<CounterState> processor = start(Counters.type());
        context.setRecordMetadata(TOPICS.control(), 0, 0);
        ControlInstruction replay = new ControlInstruction(ControlAction.REPLAY);
        processor.process(new Record<>("0".getBytes(StandardCharsets.UTF_8),
                codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(TOPICS.control(), replay.getSchema()), replay), 0L, new RecordHeaders()));
        for (int i = 0; i < 3; i++) {
            tick();
        }
        // The task's own events of that transaction would not be readable yet: nothing is read until it commits.
        assertThat(progress().running()).isTrue();
        assertThat(progress().folded()).isZero();
        commits.commit(Map.of());
        while (progress().running()) {
            tick();
        }
        assertThat(progress().folded()).isEqualTo(20);
        assertThat(context.forwarded()).filteredOn(f -> f.childName().orElseThrow().startsWith(TOPICS.controlResults()))
                .singleElement().satisfies(f -> assertThat(codec.decode(f.record().value(), ControlResult.class).getOutcome())
                        .isEqualTo(ControlOutcome.DONE));
        processor.close();
    }

    @Test
    void aStepThatFoldsPastItsTimeEndsThereAndTheNextStepGoesOnFromThere() {
        // 2,500 events over 5 counters, all within one batch's reach, on a clock that moves over a
        // second whenever it is read: every look at it finds the step's time (a quarter of a second) used up.
        int[] increments = new int[2 * 2_500];
        for (int i = 0; i < 2_500; i++) {
            increments[2 * i] = i % 5;
            increments[2 * i + 1] = 1;
        }
        log.clear();
        log.addAll(ReplayTest.history(registry, increments));
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock racing = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                now[0] = now[0].plusMillis(1_001);
                return now[0];
            }
        };
        CommandProcessor<CounterState> processor = start(TYPE, 10_000, racing);
        tick();
        assertThat(progress().running()).as("the step ended at its time, before the batch").isTrue();
        assertThat(progress().folded()).isEqualTo(1_000);
        assertThat(context.committed()).as("and asked for its commit").isTrue();
        int ticks = 1;
        while (progress().running()) {
            tick();
            ticks++;
            assertThat(ticks).isLessThan(10);
        }
        assertThat(ticks).isEqualTo(3);
        assertThat(progress().folded()).as("every event once, none twice").isEqualTo(2_500);
        assertThat(progress().failures()).isZero();
        assertStoreEqualsAFreshFold();
        processor.close();
    }

    /** The log as the event log serves it: S-events; S-results (the answered commands' source) has nothing here. */
    static <T> List<T> eventsOnly(String topic, List<T> log) {
        return topic.endsWith("-events") ? log : List.of();
    }
}
