package foldstream.worker.examples;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import org.apache.avro.specific.SpecificRecord;

/** gen_aggregate's counter ({@code ex_counters}): created by its first increment. */
public final class Counters implements Aggregate<CounterState> {

    public static AggregateType<CounterState> type() {
        return AggregateType.builder("ex_counters", CounterState.class, new Counters())
                .command(Increment.class, Creation.EITHER)
                .events(Incremented.class)
                .build();
    }

    @Override
    public CounterState initialState() {
        return new CounterState(0L);
    }

    @Override
    public Decision decide(CounterState state, SpecificRecord command) {
        Increment increment = (Increment) command;
        if (increment.getBy() == 0) {
            return Decision.noChange();
        }
        return Decision.emit(new Incremented(increment.getBy(), state.getValue() + increment.getBy()));
    }

    @Override
    public CounterState evolve(CounterState state, SpecificRecord event) {
        return new CounterState(((Incremented) event).getValue());
    }
}
