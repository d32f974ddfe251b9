package foldstream.worker.aggregate;

import org.apache.avro.specific.SpecificRecord;

/**
 * The behaviour of one aggregate type: what a new aggregate looks like, which events a command
 * leads to, and how an event changes the state. All three are pure: no I/O, no clock, no Kafka.
 * Commands, events and the state are Avro records generated from {@code schemas/}.
 *
 * <pre>{@code
 * final class Counters implements Aggregate<CounterState> {
 *     public CounterState initialState() { return new CounterState(0L); }
 *
 *     public Decision decide(CounterState state, SpecificRecord command) {
 *         if (command instanceof Increment inc) {
 *             if (inc.getBy() <= 0) return Decision.reject("NOT_POSITIVE", "by must be positive",
 *                     new Violation("by", "must be positive"));
 *             return Decision.emit(new Incremented(inc.getBy(), state.getValue() + inc.getBy()));
 *         }
 *         throw new IllegalArgumentException("unhandled " + command.getSchema().getFullName());
 *     }
 *
 *     public CounterState evolve(CounterState state, SpecificRecord event) {
 *         Incremented e = (Incremented) event;
 *         return new CounterState(e.getValue());
 *     }
 * }
 * }</pre>
 *
 * <p>The engine calls {@code decide} only with command types registered in the
 * {@link AggregateType}, and {@code evolve} only with registered event types. An exception thrown
 * from either is reported as the {@code FAILED} outcome and nothing is written.
 *
 * @param <S> the state record
 */
public interface Aggregate<S extends SpecificRecord> {

    /** The state of an aggregate that has no events yet (version 0). */
    S initialState();

    /** Decides a command against the current state: events to append, no change, or a refusal. */
    Decision decide(S state, SpecificRecord command);

    /** Folds one event into the state. Must not fail for an event that {@code decide} produced. */
    S evolve(S state, SpecificRecord event);
}
