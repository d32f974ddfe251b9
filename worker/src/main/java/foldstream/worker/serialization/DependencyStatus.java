package foldstream.worker.serialization;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a dependency the worker cannot process without (the schema registry) answers, as last
 * seen: {@link Available}, or {@link Waiting} since a given instant, with the last reason.
 *
 * <pre>{@code
 * if (worker.registryHealth().status() instanceof DependencyStatus.Waiting waiting) {
 *     report("waiting on the schema registry since " + waiting.since() + ": " + waiting.reason());
 * }
 * }</pre>
 */
public sealed interface DependencyStatus {

    /** The last call was answered (a "schema not found" is an answer too). */
    record Available() implements DependencyStatus {
    }

    /**
     * Calls have failed since {@code since} (refused with 401/403/429, a server error, an answer that
     * is not the registry's, no connection): the records that need it wait.
     *
     * @param since when the first failure of this episode was seen
     * @param reason the latest failure, one line
     * @param failures how many calls have failed since {@code since}
     */
    record Waiting(Instant since, String reason, long failures) implements DependencyStatus {
        public Waiting {
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
