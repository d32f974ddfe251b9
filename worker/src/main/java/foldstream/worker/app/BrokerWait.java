package foldstream.worker.app;

import foldstream.worker.observe.RateLimitedLog;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.topics.KafkaUnreachableException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a starting worker waits for a Kafka broker to answer ({@code --broker-wait},
 * {@code FOLDSTREAM_BROKER_WAIT}): a duration ({@code PT30S}, the default: then the worker exits with
 * {@link WorkerMain#EXIT_BROKER_UNREACHABLE}), or {@code forever} (it keeps trying and logging, with
 * nothing listening on its HTTP port, until a broker answers or it is stopped).
 *
 * <pre>{@code
 * BrokerWait wait = BrokerWait.parse("forever");
 * if (!wait.await(settings, signal)) { ... stopped while waiting ... }
 * }</pre>
 *
 * @param limit how long to wait; empty: forever
 */
public record BrokerWait(Optional<Duration> limit) {

    public static final BrokerWait DEFAULT = new BrokerWait(Optional.of(Duration.ofSeconds(30)));
    /** How long one attempt waits for an answer before the next one starts. */
    private static final Duration ATTEMPT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(BrokerWait.class);

    public BrokerWait {
        limit.ifPresent(duration -> {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("the broker wait must be positive, was " + duration);
            }
        });
    }

    /**
     * {@code forever}, or an ISO-8601 duration such as {@code PT30S} or {@code PT5M}; blank means the default.
     *
     * @throws InvalidSettingException naming {@code --broker-wait} when it is neither
     */
    public static BrokerWait parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        if ("forever".equalsIgnoreCase(text.trim())) {
            return new BrokerWait(Optional.empty());
        }
        try {
            return new BrokerWait(Optional.of(Duration.parse(text.trim())));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.BROKER_WAIT, "'" + text
                    + "' is neither 'forever' nor a positive ISO-8601 duration such as PT30S or PT5M");
        }
    }

    /**
     * Returns once a broker of {@code settings} answers (with its security settings), or a stop is requested.
     *
     * @return true when a broker answered, false when {@code signal} asked to stop first
     * @throws KafkaUnreachableException when none answered within the limit
     */
    public boolean await(WorkerSettings settings, ShutdownSignal signal) throws InterruptedException {
        Map<String, Object> config = StreamsSettings.defaults(settings.applicationId(), settings.bootstrapServers());
        config.putAll(settings.properties());
        Map<String, Object> admin = new StreamsConfig(config).getAdminConfigs("foldstream-broker-wait");
        Instant since = Instant.now();
        long start = System.nanoTime();
        RateLimitedLog log = new RateLimitedLog(1, 30_000, System::currentTimeMillis);
        try (Admin client = Admin.create(admin)) {
            for (int attempt = 1; ; attempt++) {
                long left = limit.map(d -> d.toNanos() - (System.nanoTime() - start)).orElse(Long.MAX_VALUE);
                if (left <= 0) {
                    throw new KafkaUnreachableException(settings.bootstrapServers(), "no Kafka broker answered at "
                            + settings.bootstrapServers() + " (bootstrap-servers) within " + limit.orElseThrow()
                            + " (" + WorkerSetting.BROKER_WAIT.describe() + ")", null);
                }
                long timeout = Math.max(1, Math.min(left, ATTEMPT.toNanos()) / 1_000_000);
                try {
                    client.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout)).nodes()
                            .get(timeout + 1_000, TimeUnit.MILLISECONDS);
                    if (attempt > 1) {
                        LOG.info("a Kafka broker answered at {} after waiting since {}", settings.bootstrapServers(), since);
                    }
                    return true;
                } catch (ExecutionException | TimeoutException e) {
                    if (signal.awaitRequest(Duration.ZERO)) {
                        return false;
                    }
                    if (log.admit() >= 0) {
                        LOG.warn("waiting for a Kafka broker at {} since {} ({}); not ready meanwhile",
                                settings.bootstrapServers(), since, limit.map(d -> "for up to " + d).orElse("forever"));
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return limit.map(Duration::toString).orElse("forever");
    }
}
