package foldstream.worker.process;

import java.time.Duration;
import java.util.Objects;

/** A deadline set or cancelled by a {@link Reaction}; deadlines are named, one per name per instance. */
public sealed interface DeadlineChange permits DeadlineChange.Set, DeadlineChange.Cancel {

    String name();

    /** Due {@code after} from when the reaction is applied; setting a name again moves it. */
    record Set(String name, Duration after) implements DeadlineChange {
        public Set {
            checkName(name);
            Objects.requireNonNull(after, "after");
            if (after.isNegative()) {
                throw new IllegalArgumentException("deadline " + name + ": negative delay " + after);
            }
        }
    }

    /** Removes the deadline; nothing happens if it is not set. */
    record Cancel(String name) implements DeadlineChange {
        public Cancel {
            checkName(name);
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("a deadline name must be non-empty text without NUL, was '" + name + "'");
        }
    }
}
