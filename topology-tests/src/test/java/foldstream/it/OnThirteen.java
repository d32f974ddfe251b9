package foldstream.it;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.examples.Counters;
import org.apache.avro.specific.SpecificRecord;

/**
 * The example counter, with something done first when {@code decide} sees {@code Increment{by: 13}}:
 * throwing (the aggregate's own code failing), blocking (a stalled partition), ...
 *
 * <pre>{@code
 * AggregateType<CounterState> unlucky = OnThirteen.type("it_unlucky", () -> { throw new IllegalStateException("13"); });
 * }</pre>
 */
final class OnThirteen implements Aggregate<CounterState> {

    private final Counters counters = new Counters();
    private final Runnable onThirteen;

    OnThirteen(Runnable onThirteen) {
        this.onThirteen = onThirteen;
    }

    /** A counter type named {@code name} that runs {@code onThirteen} before deciding an increment by 13. */
    static AggregateType<CounterState> type(String name, Runnable onThirteen) {
        return AggregateType.builder(name, CounterState.class, new OnThirteen(onThirteen))
                .command(Increment.class, Creation.EITHER).events(Incremented.class).build();
    }

    @Override
    public CounterState initialState() {
        return counters.initialState();
    }

    @Override
    public Decision decide(CounterState state, SpecificRecord command) {
        if (((Increment) command).getBy() == 13) {
            onThirteen.run();
        }
        return counters.decide(state, command);
    }

    @Override
    public CounterState evolve(CounterState state, SpecificRecord event) {
        return counters.evolve(state, event);
    }
}
