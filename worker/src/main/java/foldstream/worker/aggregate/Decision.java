package foldstream.worker.aggregate;

import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@link Aggregate#decide} answers: events to append, nothing to change, or a refusal.
 *
 * <pre>{@code
 * return Decision.emit(new UserCreated(email), new ProfileSet(name));
 * return Decision.noChange();
 * return Decision.reject("NAME_TOO_SHORT", "name must have at least 6 characters",
 *         new Violation("name", "at least 6 characters"));
 * }</pre>
 */
public sealed interface Decision permits Decision.Emit, Decision.NoChange, Decision.Reject {

    /** The command is accepted and these events, at least one, are appended in this order. */
    record Emit(List<SpecificRecord> events) implements Decision {
        public Emit {
            Objects.requireNonNull(events, "events");
            if (events.isEmpty()) {
                throw new IllegalArgumentException("Emit needs at least one event; use Decision.noChange()");
            }
            events = List.copyOf(events);
        }
    }

    /** The command is valid but changes nothing (the seed's {@code {:ok, version}} without events). */
    record NoChange() implements Decision {
    }

    /** A business rule or validation refuses the command. */
    record Reject(String code, String message, List<Violation> violations) implements Decision {
        public Reject {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            violations = List.copyOf(violations);
        }
    }

    /** Accept the command with these events. */
    static Decision emit(SpecificRecord... events) {
        return new Emit(List.of(events));
    }

    /** Accept the command with these events; an empty list means no change. */
    static Decision emit(List<? extends SpecificRecord> events) {
        return events.isEmpty() ? noChange() : new Emit(List.copyOf(events));
    }

    /** The command is valid and changes nothing. */
    static Decision noChange() {
        return new NoChange();
    }

    /** Refuse the command, naming the fields at fault (none is fine for a whole-command rule). */
    static Decision reject(String code, String message, Violation... violations) {
        return new Reject(code, message, List.of(violations));
    }
}
