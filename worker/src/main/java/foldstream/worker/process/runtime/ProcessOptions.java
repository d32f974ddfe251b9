package foldstream.worker.process.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How the runtime keeps and wakes process instances.
 *
 * @param retention how long a finished (or failed) instance is kept as a marker before it is removed;
 *     while kept, a {@code Route.start} for its id is ignored
 * @param deadlineCheckInterval how often the wall clock is checked for due deadlines: a deadline fires
 *     at most this late (plus the commit interval) after it is due
 */
public record ProcessOptions(Duration retention, Duration deadlineCheckInterval) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final ProcessOptions DEFAULTS = new ProcessOptions(DEFAULT_RETENTION, Duration.ofSeconds(1));

    public ProcessOptions {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(deadlineCheckInterval, "deadlineCheckInterval");
        if (retention.isNegative() || deadlineCheckInterval.isNegative() || deadlineCheckInterval.isZero()) {
            throw new IllegalArgumentException("retention must be 0 or more and the deadline check interval positive");
        }
    }

    public ProcessOptions withRetention(Duration retention) {
        return new ProcessOptions(retention, deadlineCheckInterval);
    }
}
