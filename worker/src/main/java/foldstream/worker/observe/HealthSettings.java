package foldstream.worker.observe;

import java.time.Duration;
import java.util.Objects;

/**
 * When the health checks call the worker unhealthy.
 *
 * @param stallTimeout a partition with commands waiting (or one command being decided) that decides
 *     nothing for this long is stalled (default 60 s)
 * @param unreachableTimeout the broker or the schema registry not answering for this long is a
 *     failure (default 60 s)
 */
public record HealthSettings(Duration stallTimeout, Duration unreachableTimeout) {

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_UNREACHABLE_TIMEOUT = Duration.ofSeconds(60);
    public static final HealthSettings DEFAULTS = new HealthSettings(DEFAULT_STALL_TIMEOUT, DEFAULT_UNREACHABLE_TIMEOUT);

    public HealthSettings {
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(unreachableTimeout, "unreachableTimeout");
        if (stallTimeout.toMillis() < 1 || unreachableTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeouts must be at least 1 ms");
        }
    }
}
