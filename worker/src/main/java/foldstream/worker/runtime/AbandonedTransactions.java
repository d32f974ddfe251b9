package foldstream.worker.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts the open transactions a dead worker left behind, once a second, instead of waiting for the
 * broker. A worker killed mid-transaction leaves it open; until it is aborted, {@code read_committed}
 * readers of every partition it wrote (results, events, the changelogs the next owner restores from)
 * stop at its first record. The broker aborts it only after the producer's
 * {@code transaction.timeout.ms} (10 s under exactly-once) and then at its next check, every
 * {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} (10 s by default): 10 to 20 s
 * after the kill, where the group hands the partitions over after 6 to 9 s.
 *
 * <p>So every worker looks, once a second, for transactions of its application (Kafka Streams names
 * them {@code <application.id>-<process UUID>-<thread>}) that have stayed open longer than the
 * session timeout, the time after which the group itself gives their owner up, and fences them
 * ({@link Admin#fenceProducers}), which aborts them at once. A live worker's transaction lasts one
 * commit interval (100 ms); one open that long belongs to a dead worker or to one stalled for
 * seconds, whose transaction the broker would abort a few seconds later anyway (docs/running.md,
 * "Failover").
 *
 * <pre>{@code
 * AbandonedTransactions abandoned = AbandonedTransactions.start(admin, streamsConfig);
 * ...
 * abandoned.close();
 * }</pre>
 */
public final class AbandonedTransactions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedTransactions.class);
    private static final Duration EVERY = Duration.ofSeconds(1);
    /** Kafka's default session timeout, where the worker's settings name none. */
    private static final int KAFKA_SESSION_TIMEOUT_MS = 45_000;

    private final Admin admin;
    private final String idPattern;
    private final long openLongerThanMs;
    private final ScheduledExecutorService thread;

    AbandonedTransactions(Admin admin, String applicationId, long openLongerThanMs) {
        this.admin = admin;
        this.idPattern = idPattern(applicationId);
        this.openLongerThanMs = openLongerThanMs;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "foldstream-abandoned-transactions");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts looking, with an Admin client of its own made from the worker's Kafka Streams settings;
     * the threshold is the main consumer's {@code session.timeout.ms}.
     */
    public static AbandonedTransactions start(Map<String, Object> streamsConfig) {
        StreamsConfig config = new StreamsConfig(streamsConfig);
        String applicationId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        Object session = config.getMainConsumerConfigs(applicationId, applicationId + "-fence", 0).get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        long threshold = session == null ? KAFKA_SESSION_TIMEOUT_MS : Long.parseLong(session.toString());
        AbandonedTransactions abandoned = new AbandonedTransactions(
                Admin.create(config.getAdminConfigs(applicationId + "-fence")), applicationId, threshold);
        abandoned.thread.scheduleWithFixedDelay(abandoned::fenceOnce, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return abandoned;
    }

    /** The transactional ids Kafka Streams gives an application's stream threads under {@code exactly_once_v2}. */
    static String idPattern(String applicationId) {
        return Pattern.quote(applicationId) + "-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9]+";
    }

    /** Fences this application's transactions open longer than the threshold; returns their ids. */
    List<String> fenceOnce() {
        try {
            List<String> abandoned = admin.listTransactions(new ListTransactionsOptions()
                            .filterStates(List.of(TransactionState.ONGOING))
                            .filterOnDuration(openLongerThanMs)
                            .filterOnTransactionalIdPattern(idPattern))
                    .all().get(EVERY.toMillis() * 5, TimeUnit.MILLISECONDS).stream()
                    .map(TransactionListing::transactionalId)
                    .filter(id -> id.matches(idPattern))
                    .toList();
            if (!abandoned.isEmpty()) {
                admin.fenceProducers(abandoned).all().get(EVERY.toMillis() * 5, TimeUnit.MILLISECONDS);
                LOG.info("aborted transactions open for more than {} ms (their worker is gone or stalled): {}", openLongerThanMs, abandoned);
            }
            return abandoned;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (Exception e) {
            // The broker is away or refuses (no DESCRIBE/WRITE on the transactional ids): the broker's own timeout still applies.
            LOG.debug("could not look for abandoned transactions: {}", e.toString());
            return List.of();
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
