package foldstream.worker.serialization;

import foldstream.worker.observe.RateLimitedLog;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a record waits for the schema registry. Only the registry's definite answers about the data
 * end the wait: "schema not found" (error code 40403) and a schema that is not Avro. Any other
 * failure (401/403 after a credential rotation, 408, 429, a proxy's 404 page, an answer that is not
 * JSON, a 5xx, no connection) says nothing about the record, so the call is repeated with backoff
 * (200 ms doubling to 2 s) for up to {@link #budget()}, and then fails with
 * {@link SchemaRegistryUnavailableException}, which the worker never turns into a result: its stream
 * thread is replaced and the record is read again (README, "Choices where the contract is silent").
 *
 * <pre>{@code
 * RegistryWait wait = new RegistryWait(Duration.ofSeconds(5), new RegistryHealth(Clock.systemUTC()));
 * Schema writer = wait.call("schema id 7", () -> registry.schemaById(7));
 * }</pre>
 *
 * <p>The wait is logged at most every 30 s, and {@link RegistryHealth} says since when it lasts.
 * Thread-safe.
 */
public final class RegistryWait {

    /** Half of Kafka Streams' exactly-once transaction timeout (10 s): a wait in place never outlives the open transaction. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWait.class);

    private final Duration budget;
    private final RegistryHealth health;
    private final RateLimitedLog log = new RateLimitedLog(1, 30_000, System::currentTimeMillis);

    public RegistryWait(Duration budget, RegistryHealth health) {
        if (budget.isNegative()) {
            throw new IllegalArgumentException("the registry wait budget must not be negative, was " + budget);
        }
        this.budget = budget;
        this.health = health;
    }

    /** A wait of {@link #DEFAULT_BUDGET} with its own health, on the system clock. */
    public static RegistryWait withDefaults() {
        return new RegistryWait(DEFAULT_BUDGET, new RegistryHealth(Clock.systemUTC()));
    }

    /**
     * The budget that fits a Kafka Streams configuration: half its producer's
     * {@code transaction.timeout.ms} (10 s by default under exactly-once), and no more than half of
     * {@code max.poll.interval.ms}, so waiting in place neither aborts the open transaction nor
     * leaves the consumer group.
     */
    public static Duration budgetWithin(Map<String, ?> streamsConfig) {
        long transaction = millis(streamsConfig, "transaction.timeout.ms", 10_000);
        long poll = millis(streamsConfig, "max.poll.interval.ms", 300_000);
        return Duration.ofMillis(Math.min(transaction, poll) / 2);
    }

    private static long millis(Map<String, ?> config, String key, long fallback) {
        for (String name : new String[] {"producer." + key, "consumer." + key, "main.consumer." + key, key}) {
            Object value = config.get(name);
            if (value != null) {
                try {
                    return Long.parseLong(value.toString().trim());
                } catch (NumberFormatException e) {
                    return fallback; // Kafka Streams itself reports the bad value
                }
            }
        }
        return fallback;
    }

    public Duration budget() {
        return budget;
    }

    public RegistryHealth health() {
        return health;
    }

    /**
     * Calls the registry until it answers, it refuses definitely (thrown as is), or the budget is
     * spent ({@link SchemaRegistryUnavailableException}).
     *
     * @param what what is asked, for the log and the exception: "schema id 7"
     */
    public <T> T call(String what, Supplier<T> call) {
        return call(what, call, RegistryWait::definite);
    }

    /**
     * As {@link #call(String, Supplier)}, with what counts as the registry's definite answer: for a
     * write, for example, also "incompatible" (409) and "subject not found" (40401).
     */
    public <T> T call(String what, Supplier<T> call, Predicate<SchemaRegistryException> definite) {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            SchemaRegistryException failure;
            try {
                T answer = call.get();
                answered();
                return answer;
            } catch (SchemaRegistryException e) {
                if (definiteAnswer(e, definite)) {
                    answered();
                    throw e;
                }
                failure = e;
            }
            DependencyStatus.Waiting waiting = health.failed(oneLine(failure.getMessage()));
            Duration backoff = backoff(attempt);
            boolean spent = System.nanoTime() - start + backoff.toNanos() > budget.toNanos();
            logRateLimited(what, waiting, spent);
            if (spent) {
                throw new SchemaRegistryUnavailableException(failure.subject(), "waiting on the schema registry since "
                        + waiting.since() + " for " + what + " (" + (attempt + 1) + " attempts in "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms); the record is read again later: "
                        + failure.getMessage(), failure);
            }
            try {
                // Backoff between calls to a remote service, not synchronization.
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(failure.subject(), "interrupted while waiting on the schema registry for " + what, failure);
            }
        }
    }

    /**
     * One call, not repeated, for a health probe: it reports into {@link #health()} as the records'
     * calls do (any answer about a subject, even "not found", is an answer), so that one status says
     * whether the registry answers. Logs only the end of a wait, as they do.
     */
    public void probe(Supplier<?> call) {
        try {
            call.get();
            answered();
        } catch (SchemaRegistryException e) {
            if (definiteAnswer(e, RegistryWait::definiteForWrites)) {
                answered();
            } else {
                health.failed(oneLine(e.getMessage()));
            }
        } catch (RuntimeException e) {
            health.failed(oneLine(e.toString())); // a client that failed otherwise: no answer either
        }
    }

    private static boolean definiteAnswer(SchemaRegistryException e, Predicate<SchemaRegistryException> definite) {
        return !(e instanceof SchemaRegistryUnavailableException) && definite.test(e);
    }

    /**
     * The registry's answers about the data itself, which no retry changes: the id is unknown (40403),
     * or it names a schema that is not Avro or that Avro cannot parse ({@link HttpSchemaRegistryClient}).
     */
    static boolean definite(SchemaRegistryException e) {
        return e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND || e.errorCode() == SchemaRegistryException.INVALID_SCHEMA;
    }

    /**
     * The registry's answers to a registration or a lookup of the latest version, which no retry
     * changes: incompatible (409), invalid schema or version, no such subject or version (Confluent's
     * five-digit codes 404xx and 422xx), on top of {@link #definite}.
     */
    public static boolean definiteForWrites(SchemaRegistryException e) {
        int code = e.errorCode();
        return definite(e) || code == SchemaRegistryException.INCOMPATIBLE_SCHEMA
                || (code >= 40400 && code < 40500) || (code >= 42200 && code < 42300);
    }

    /** Whether a stream thread stopped because a record waits on the registry (logged here already, rate-limited). */
    public static boolean causedBy(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static Duration backoff(int attempt) {
        Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt, 10));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private void answered() {
        if (health.answered() instanceof DependencyStatus.Waiting ended) {
            LOG.info("the schema registry answers again, after waiting since {} ({} failed calls)", ended.since(), ended.failures());
            log.reset();
        }
    }

    private void logRateLimited(String what, DependencyStatus.Waiting waiting, boolean spent) {
        if (log.admit() < 0) {
            return;
        }
        LOG.warn("waiting on the schema registry since {} ({} failed calls) for {}{}: {}", waiting.since(), waiting.failures(), what,
                spent ? "; the record will be read again" : "", waiting.reason());
    }

    private static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
