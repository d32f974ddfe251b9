package foldstream.worker.aggregate;

import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns an event as it was written under an old schema into the events today's code knows: for the
 * changes Avro's schema resolution cannot make by itself (a type renamed and reshaped, one event
 * split in two, a field whose meaning changed). Avro's resolution comes first: adding a field with
 * a default, removing one, widening {@code int} to {@code long} and renaming a type through an
 * alias need no upcaster.
 *
 * <p>It gets the old event as written (a {@link GenericRecord} of its writer schema) and answers
 * zero or more events of the type's registered event classes. It must be pure: the same old event
 * always gives the same new ones, wherever it is read (the worker's fold, the {@code EVENTS_ONLY}
 * rebuild, replay, projections, process managers, {@code foldstream tail}, the fixtures). The
 * aggregate's version still counts the events as stored: one stored event is one version, however
 * many records it is upcast to.
 *
 * <pre>{@code
 * AggregateType.builder("ex_accounts", AccountState.class, new Accounts())
 *         ...
 *         // v1 wrote whole euros in "AmountPaidIn"; today it is MoneyDeposited in cents
 *         .upcast("foldstream.examples.accounts.AmountPaidIn", old -> List.of(
 *                 new MoneyDeposited((Long) old.get("euros") * 100, (Long) old.get("balance") * 100)))
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface Upcaster {

    /**
     * @param old the event as written, read with its own writer schema
     * @return the events it stands for today, in order; empty to drop it
     */
    List<SpecificRecord> upcast(GenericRecord old);
}
