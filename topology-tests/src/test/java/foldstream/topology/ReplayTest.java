package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.CONTROL;
import static foldstream.worker.runtime.ContractHeaders.CONTROL_REPLAY;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.examples.Counters;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Replay rebuilds snapshots from the events with the current evolve, and refuses inconsistent events. */
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

    private static List<ConsumerRecord<byte[], byte[]>> asLog(List<TestRecord<byte[], byte[]>> records) {
        List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
        long offset = 0;
        for (TestRecord<byte[], byte[]> r : records) {
            log.add(new ConsumerRecord<>("ex_counters-events", 0, offset++, r.timestamp(), TimestampType.CREATE_TIME,
                    r.key().length, r.value().length, r.key(), r.value(), new RecordHeaders(r.headers().toArray()), Optional.empty()));
        }
        return log;
    }

    @Test
    void replayFoldsCommittedAndRecentEventsWithTheNewEvolve() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<ConsumerRecord<byte[], byte[]>> committed;
        try (Worker before = new Worker(List.of(Counters.type()), ProcessingOptions.DEFAULTS, (c, t, p, each) -> { }, registry)) {
            before.send("ex_counters", "c1", new Increment(1));
            before.send("ex_counters", "c1", new Increment(2));
            before.send("ex_counters", "c2", new Increment(5));
            committed = asLog(before.raw("ex_counters-events"));
        }

        try (Worker after = new Worker(List.of(TENFOLD), ProcessingOptions.DEFAULTS, (c, t, p, each) -> committed.forEach(each), registry)) {
            // This worker starts without the snapshots (a TopologyTestDriver restores no changelog): a first replay makes them.
            after.sendRaw("ex_counters", null, null, CONTROL, CONTROL_REPLAY, COMMAND_ID, "replay-0");
            assertThat(after.result("ex_counters").getVersion()).as("events folded").isEqualTo(3);
            // Not in the log the replay reads: as if still in the task's open transaction.
            after.send("ex_counters", "c2", new Increment(1));
            assertThat(after.result("ex_counters").getVersion()).isEqualTo(2);
            after.sendRaw("ex_counters", null, null, CONTROL, CONTROL_REPLAY, COMMAND_ID, "replay-1");

            CommandResult replay = after.result("ex_counters");
            assertThat(replay.getCommandId()).isEqualTo("replay-1");
            assertThat(replay.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(replay.getVersion()).as("events folded").isEqualTo(4);
            assertThat(replay.getEventCount()).as("aggregates rebuilt").isEqualTo(2);
            assertThat(after.snapshot(TENFOLD, "c1").state().getValue()).isEqualTo(30L);
            assertThat(after.snapshot(TENFOLD, "c2").state().getValue()).isEqualTo(60L);
            assertThat(after.snapshot(TENFOLD, "c2").version()).isEqualTo(2);
            assertThat(after.raw("ex_counters-dlq")).isEmpty();

            after.send("ex_counters", "c1", new Increment(1));
            assertThat(after.result("ex_counters").getVersion()).isEqualTo(3);
            assertThat(after.events("ex_counters")).last().extracting(e -> ((Incremented) e.event()).getValue()).isEqualTo(31L);
        }
    }

    @Test
    void replayRefusesAGapAndNamesTheAggregateAndVersion() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<ConsumerRecord<byte[], byte[]>> withGap;
        try (Worker before = new Worker(List.of(Counters.type()), ProcessingOptions.DEFAULTS, (c, t, p, each) -> { }, registry)) {
            before.send("ex_counters", "c1", new Increment(1));
            before.send("ex_counters", "c1", new Increment(2));
            before.send("ex_counters", "c1", new Increment(3));
            withGap = asLog(before.raw("ex_counters-events"));
            withGap.remove(1);
        }
        try (Worker after = new Worker(List.of(TENFOLD), ProcessingOptions.DEFAULTS, (c, t, p, each) -> withGap.forEach(each), registry)) {
            after.sendRaw("ex_counters", null, null, CONTROL, CONTROL_REPLAY, COMMAND_ID, "replay-2");
            CommandResult replay = after.result("ex_counters");
            assertThat(replay.getOutcome()).isEqualTo(Outcome.FAILED);
            assertThat(replay.getErrorCode()).isEqualTo("INCONSISTENT_EVENTS");
            assertThat(replay.getMessage()).contains("'c1'").contains("version 3 where version 2 was expected");
            assertThat(replay.getVersion()).isEqualTo(3);
        }
    }
}
