package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exceptions in the aggregate's code: FAILED, nothing written, processing continues. */
class AggregateFailureTest {

    /**
     * A counter with bugs on purpose: decide throws on 13, evolve throws on 14, 15 emits an event
     * Avro cannot write (a null name), 16 emits an event type that is not registered.
     */
    static final class BuggyCounters implements Aggregate<CounterState> {
        @Override
        public CounterState initialState() {
            return new CounterState(0L);
        }

        @Override
        public Decision decide(CounterState state, SpecificRecord command) {
            int by = ((Increment) command).getBy();
            if (by == 13) {
                throw new IllegalStateException("unlucky");
            }
            if (by == 15) {
                return Decision.emit(new ProfileSet(null));
            }
            if (by == 16) {
                return Decision.emit(new Incremented(by, state.getValue() + by), new UserCreated("not registered"));
            }
            return Decision.emit(new Incremented(by, state.getValue() + by));
        }

        @Override
        public CounterState evolve(CounterState state, SpecificRecord event) {
            if (event instanceof ProfileSet) {
                return state;
            }
            Incremented e = (Incremented) event;
            if (Integer.valueOf(14).equals(e.getBy())) {
                throw new ArithmeticException("evolve bug");
            }
            return new CounterState(e.getValue());
        }
    }

    static final AggregateType<CounterState> BUGGY = AggregateType.builder("buggy", CounterState.class, new BuggyCounters())
            .command(Increment.class, Creation.EITHER)
            .events(Incremented.class, ProfileSet.class)
            .build();

    private final Worker worker = new Worker(List.of(BUGGY));

    @AfterEach
    void close() {
        worker.close();
    }

    private void expectFailedThenRecovered(int by, String messagePart) {
        worker.send("buggy", "c1", new Increment(1));
        worker.send("buggy", "c1", new Increment(by), COMMAND_ID, "bad");
        worker.send("buggy", "c1", new Increment(2));

        List<Worker.Result> results = worker.results("buggy");
        assertThat(results).hasSize(3);
        CommandResult failed = results.get(1).result();
        assertThat(failed.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.getErrorCode()).isEqualTo("FAILED");
        assertThat(failed.getMessage()).contains(messagePart);
        assertThat(failed.getVersion()).isEqualTo(1);
        assertThat(failed.getEventCount()).isZero();
        assertThat(results.get(2).result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(results.get(2).result().getVersion()).isEqualTo(2);

        assertThat(worker.events("buggy")).extracting(e -> ((Incremented) e.event()).getBy()).containsExactly(1, 2);
        assertThat(worker.snapshot(BUGGY, "c1").state().getValue()).isEqualTo(3L);
        assertThat(worker.raw("buggy-dlq")).isEmpty();
    }

    @Test
    void decideThrowing() {
        expectFailedThenRecovered(13, "IllegalStateException: unlucky");
    }

    @Test
    void evolveThrowing() {
        expectFailedThenRecovered(14, "evolve bug");
    }

    @Test
    void eventThatAvroCannotWrite() {
        expectFailedThenRecovered(15, "cannot write");
    }

    @Test
    void eventTypeThatIsNotRegistered() {
        expectFailedThenRecovered(16, "not a registered event type");
    }

    @Test
    void failedCommandIsNotRememberedSoARetryIsDecidedAfresh() {
        worker.send("buggy", "c1", new Increment(13), COMMAND_ID, "x");
        worker.send("buggy", "c1", new Increment(13), COMMAND_ID, "x");
        assertThat(worker.results("buggy")).extracting(r -> r.result().getOutcome())
                .containsExactly(Outcome.FAILED, Outcome.FAILED);
    }
}
