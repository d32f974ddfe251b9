package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.ControlResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.Counters;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Replay, instructed on {@code S-control} and answered on {@code S-control-results}: it rebuilds the
 * snapshots from the events with the current evolve in bounded steps, holds commands back meanwhile,
 * fails on inconsistent events naming them, and only {@code S-control} can ask for it.
 */
class ReplayTest {

    /** The counter after a change to evolve: it now counts tenfold. */
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

    static final AggregateType<CounterState> TENFOLD = AggregateType.builder("ex_counters", CounterState.class, new TenfoldCounters())
            .command(Increment.class, Creation.EITHER).events(Incremented.class).build();

    /** Two events per step: a replay of six takes several steps, each its own transaction. */
    private static final ProcessingOptions SMALL_STEPS = ProcessingOptions.DEFAULTS.withRebuildBatch(2);

    static List<ConsumerRecord<byte[], byte[]>> asLog(List<TestRecord<byte[], byte[]>> records) {
        List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
        long offset = 0;
        for (TestRecord<byte[], byte[]> r : records) {
            log.add(new ConsumerRecord<>("ex_counters-events", 0, offset++, r.timestamp(), TimestampType.CREATE_TIME,
                    r.key().length, r.value().length, r.key(), r.value(), new RecordHeaders(r.headers().toArray()), Optional.empty()));
        }
        return log;
    }

    /** The events of increments of counters c{n} by {by}, given as n, by, n, by, ..., as S-events holds them. */
    static List<ConsumerRecord<byte[], byte[]>> history(InMemorySchemaRegistry registry, int... byCounter) {
        try (Worker before = new Worker(List.of(Counters.type()), ProcessingOptions.DEFAULTS, (c, t, p, each) -> { }, registry)) {
            for (int i = 0; i < byCounter.length; i += 2) {
                before.send("ex_counters", "c" + byCounter[i], new Increment(byCounter[i + 1]));
            }
            return asLog(before.raw("ex_counters-events"));
        }
    }

    /** Ticks until the control result comes, counting the ticks; fails after many. */
    private static ControlResult awaitControlResult(Worker worker, int[] ticks) {
        for (int i = 0; i < 100; i++) {
            List<ControlResult> results = worker.controlResults("ex_counters");
            if (!results.isEmpty()) {
                assertThat(results).hasSize(1);
                return results.get(0);
            }
            worker.tick();
            ticks[0]++;
        }
        throw new AssertionError("no control result after 100 ticks");
    }

    @Test
    void replayRebuildsInStepsWithTheNewEvolveWhileCommandsWait() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<ConsumerRecord<byte[], byte[]>> log = history(registry, 1, 1, 1, 2, 2, 5, 3, 1, 3, 1, 3, 1);

        try (Worker after = new Worker(List.of(TENFOLD), SMALL_STEPS, (c, t, p, each) -> RebuildTest.eventsOnly(t, log).forEach(each), registry)) {
            after.replay("ex_counters", COMMAND_ID, "replay-1");
            after.send("ex_counters", "c2", new Increment(1));
            assertThat(after.results("ex_counters")).as("a command sent during the replay waits for it").isEmpty();

            int[] ticks = {0};
            ControlResult replay = awaitControlResult(after, ticks);
            assertThat(ticks[0]).as("steps the replay took").isGreaterThanOrEqualTo(3);
            assertThat(replay.getInstructionId()).isEqualTo("replay-1");
            assertThat(replay.getAggregateType()).isEqualTo("ex_counters");
            assertThat(replay.getPartition()).isZero();
            assertThat(replay.getAction()).isEqualTo(ControlAction.REPLAY);
            assertThat(replay.getOutcome()).isEqualTo(ControlOutcome.DONE);
            assertThat(replay.getEventsFolded()).isEqualTo(6);
            assertThat(replay.getAggregatesRebuilt()).isEqualTo(3);
            assertThat(replay.getErrorCode()).isNull();

            // The command that waited is decided against the complete, rebuilt state.
            after.tick();
            CommandResult held = after.result("ex_counters");
            assertThat(held.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(held.getVersion()).isEqualTo(2);
            assertThat(after.snapshot(TENFOLD, "c1").state().getValue()).isEqualTo(30L);
            assertThat(after.snapshot(TENFOLD, "c2").state().getValue()).isEqualTo(60L);
            assertThat(after.snapshot(TENFOLD, "c3").state().getValue()).isEqualTo(30L);
            assertThat(after.snapshot(TENFOLD, "c3").version()).isEqualTo(3);
            assertThat(after.raw("ex_counters-dlq")).isEmpty();

            after.send("ex_counters", "c1", new Increment(1));
            assertThat(after.result("ex_counters").getVersion()).isEqualTo(3);
        }
    }

    @Test
    void replayFailsOnAGapNamingTheAggregateAndVersionAndKeepsServing() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<ConsumerRecord<byte[], byte[]>> withGap = history(registry, 1, 1, 1, 2, 1, 3, 2, 4);
        withGap.remove(1);
        try (Worker after = new Worker(List.of(TENFOLD), SMALL_STEPS, (c, t, p, each) -> RebuildTest.eventsOnly(t, withGap).forEach(each), registry)) {
            after.replay("ex_counters", COMMAND_ID, "replay-2");
            ControlResult replay = awaitControlResult(after, new int[1]);
            assertThat(replay.getOutcome()).isEqualTo(ControlOutcome.FAILED);
            assertThat(replay.getErrorCode()).isEqualTo("INCONSISTENT_EVENTS");
            assertThat(replay.getMessage()).contains("'c1'").contains("version 3 where version 2 was expected");
            assertThat(replay.getEventsFolded()).as("c1's first event and c2's").isEqualTo(2);
            assertThat(after.snapshot(TENFOLD, "c1").version()).as("c1 stays at its last good version").isEqualTo(1);
            assertThat(after.snapshot(TENFOLD, "c2").state().getValue()).isEqualTo(40L);

            after.send("ex_counters", "c2", new Increment(1));
            assertThat(after.result("ex_counters").getVersion()).isEqualTo(2);
        }
    }

    @Test
    void theControlHeaderOnCommandsIsNoLongerHonoured() {
        try (Worker worker = new Worker(List.of(Counters.type()))) {
            worker.send("ex_counters", "c1", new Increment(1));
            worker.result("ex_counters");
            // What the CLI wrote before S-control existed: no value, a control header. Now an unreadable command.
            worker.sendRaw("ex_counters", "c1".getBytes(StandardCharsets.UTF_8), null, "foldstream-control", "replay");
            assertThat(worker.result("ex_counters").getOutcome()).isEqualTo(Outcome.MALFORMED);
            assertThat(worker.raw("ex_counters-dlq")).hasSize(1);
            // A real command with the header is just a command.
            worker.send("ex_counters", "c1", new Increment(2), "foldstream-control", "replay");
            CommandResult decided = worker.result("ex_counters");
            assertThat(decided.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(decided.getVersion()).isEqualTo(2);
            worker.tick();
            assertThat(worker.controlResults("ex_counters")).isEmpty();
        }
    }

    @Test
    void anUnreadableInstructionIsRefusedAndChangesNothing() {
        try (Worker worker = new Worker(List.of(Counters.type()))) {
            worker.send("ex_counters", "c1", new Increment(1));
            worker.result("ex_counters");
            worker.control("ex_counters", new byte[] {0, 0, 0, 0, 42, 1}, COMMAND_ID, "garbage");
            ControlResult refused = worker.controlResults("ex_counters").get(0);
            assertThat(refused.getInstructionId()).isEqualTo("garbage");
            assertThat(refused.getOutcome()).isEqualTo(ControlOutcome.REFUSED);
            assertThat(refused.getErrorCode()).isEqualTo("MALFORMED");
            assertThat(refused.getAction()).isNull();
            worker.send("ex_counters", "c1", new Increment(1));
            assertThat(worker.result("ex_counters").getVersion()).isEqualTo(2);
        }
    }

    @Test
    void aTypeWithoutEventsRefusesReplay() {
        AggregateType<CounterState> snapshotsOnly = Counters.type().withStorageMode(StorageMode.SNAPSHOTS_ONLY);
        try (Worker worker = new Worker(List.of(snapshotsOnly))) {
            worker.replay("ex_counters", COMMAND_ID, "replay-3");
            ControlResult refused = worker.controlResults("ex_counters").get(0);
            assertThat(refused.getOutcome()).isEqualTo(ControlOutcome.REFUSED);
            assertThat(refused.getErrorCode()).isEqualTo("NO_EVENTS");
            assertThat(refused.getAction()).isEqualTo(ControlAction.REPLAY);
        }
    }
}
