package foldstream.worker.projection;

import java.time.Duration;
import java.util.Objects;

/**
 * What a projection does when its handler throws on an event. The default is {@link #stop()}: the
 * event's aggregate stops being projected (the other aggregates go on) and the error names the
 * event; nothing is skipped unless the projection says so with {@link #retryThenPark}.
 *
 * <pre>{@code
 * ErrorPolicy.stop()                                          // the default
 * ErrorPolicy.retry(3, Duration.ofMillis(200))                // 3 more attempts, 200 ms, 400 ms, 800 ms apart, then stop
 * ErrorPolicy.retryThenPark(3, Duration.ofMillis(200))        // then the event goes to the projection's dead-letter topic
 * }</pre>
 */
public sealed interface ErrorPolicy permits ErrorPolicy.Stop, ErrorPolicy.Retry, ErrorPolicy.RetryThenPark {

    /** Stop the event's aggregate at once, naming the event. */
    record Stop() implements ErrorPolicy {
    }

    /** Try again up to {@code retries} times, the wait doubling from {@code backoff}; then stop. */
    record Retry(int retries, Duration backoff) implements ErrorPolicy {
        public Retry {
            checkRetries(retries, backoff);
        }
    }

    /**
     * Try again up to {@code retries} times, the wait doubling from {@code backoff}; then put the event
     * on the projection's dead-letter topic (with {@code dlq-error} and {@code dlq-source}) and go on.
     */
    record RetryThenPark(int retries, Duration backoff) implements ErrorPolicy {
        public RetryThenPark {
            checkRetries(retries, backoff);
        }
    }

    static ErrorPolicy stop() {
        return new Stop();
    }

    static ErrorPolicy retry(int retries, Duration backoff) {
        return new Retry(retries, backoff);
    }

    static ErrorPolicy retryThenPark(int retries, Duration backoff) {
        return new RetryThenPark(retries, backoff);
    }

    /** How many more attempts after the first; 0 for {@link Stop}. */
    default int retries() {
        return 0;
    }

    /** The wait before retry {@code n} (1-based): the backoff doubled {@code n - 1} times, at most a minute. */
    default Duration backoffBefore(int retry) {
        Duration base = this instanceof Retry r ? r.backoff() : this instanceof RetryThenPark p ? p.backoff() : Duration.ZERO;
        long millis = base.toMillis() << Math.min(20, Math.max(0, retry - 1));
        return Duration.ofMillis(Math.min(60_000, millis));
    }

    private static void checkRetries(int retries, Duration backoff) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
        }
        if (Objects.requireNonNull(backoff, "backoff").isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
        }
    }
}
