package foldstream.worker.aggregate;

import java.util.Objects;
import java.util.function.Predicate;
import org.apache.avro.Schema;

/**
 * One registered upcast: events whose writer schema has the full name {@code writtenAs} (and, when
 * a test is given, whose writer schema passes it) go through {@code upcaster}. See
 * {@link AggregateType.Builder#upcast(String, Upcaster)}.
 *
 * <pre>{@code
 * new Upcast("foldstream.examples.accounts.AmountPaidIn", schema -> true, old -> List.of(...));
 * }</pre>
 *
 * @param writtenAs the full Avro name the old events were written under
 * @param writtenWith which writer schemas of that name it applies to (for a change of meaning under one name)
 * @param upcaster what they become
 */
public record Upcast(String writtenAs, Predicate<Schema> writtenWith, Upcaster upcaster) {

    public Upcast {
        Objects.requireNonNull(writtenAs, "writtenAs");
        Objects.requireNonNull(writtenWith, "writtenWith");
        Objects.requireNonNull(upcaster, "upcaster");
    }

    /** Whether an event written with {@code writer} goes through this upcast. */
    public boolean appliesTo(Schema writer) {
        return writer.getFullName().equals(writtenAs) && writtenWith.test(writer);
    }
}
