package foldstream.worker.runtime;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings a worker starts from; anything the user passes overrides them. */
public final class StreamsSettings {

    /** {@code statestore.uncommitted.max.bytes}: no early commit (see {@link #defaults}). */
    static final long NO_EARLY_COMMIT = -1L;
    /** The longest commit interval for which {@link #NO_EARLY_COMMIT} holds. */
    static final long LONGEST_INTERVAL_WITHOUT_EARLY_COMMIT_MS = 1_000;

    /** {@code producer.linger.ms}: how long a batch waits for more records (see {@link #defaults}). */
    static final int LINGER_MS = 5;

    /** {@code restore.consumer.fetch.max.wait.ms}: how long the broker holds a restore fetch with nothing new (see {@link #defaults}). */
    static final int RESTORE_FETCH_MAX_WAIT_MS = 100;

    /**
     * Foldstream's defaults that Kafka Streams reads under a client's prefix, each with the plain
     * setting a user may give instead: Kafka Streams prefers the prefixed one, so a user's plain
     * setting would lose to Foldstream's default ({@link #plainSettingsWin}).
     */
    private static final Map<String, String> PREFIXED_DEFAULTS = Map.of(
            StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), ProducerConfig.BATCH_SIZE_CONFIG,
            StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), ProducerConfig.LINGER_MS_CONFIG,
            StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);

    private StreamsSettings() {
    }

    /**
     * {@code exactly_once_v2}, so events, snapshot, result and input offset commit together; byte
     * array serdes, since the processor reads and writes the wire format itself; producer batches of
     * 128 KiB rather than 16 KiB, since every command writes several records to every output
     * partition between two commits (fewer, fuller requests: +25 % commands/s in the benchmark).
     *
     * <p>{@code producer.linger.ms=5} rather than Kafka Streams' 100: a batch goes out within 5 ms
     * instead of waiting for the commit, which under exactly-once first sends everything still
     * waiting and only then ends the transaction that makes the results visible. The commits got
     * shorter, and Foldstream's p99 at 16,000 commands/s fell from 165 to 152 ms, at no cost in
     * throughput (docs/performance.md, the seventh round). A worker that writes many partitions
     * keeps Kafka Streams' 100 ms ({@link ProducerBatching}).
     *
     * <p>{@code restore.consumer.fetch.max.wait.ms=100} rather than Kafka's 500: a broker answers
     * the requests of one connection in order, and holds a fetch with nothing new for that long. A
     * task whose changelogs join the restore consumer while it waits on such a fetch (the next task
     * of a start, once the first ones are restored) waits behind it to learn where to begin: three
     * such waits took about 0.9 s of a fresh instance's start (docs/performance.md, the eighth
     * round). The cost: a standby's restore consumer with nothing new asks ten times a second, not
     * twice.
     *
     * <p>Transactional state stores (KIP-892, Kafka 4.4): a store's writes wait in a buffer until
     * the transaction that carries them commits, so an abort takes them back with it, a crash no
     * longer wipes the task's state, and interactive queries read {@code READ_COMMITTED}: a query
     * never answers a version that an abort later takes back (README, "Queries").
     *
     * <p>{@code max.task.idle.ms=-1}: a task processes what it has buffered without first checking
     * its empty input partitions. Every aggregate type's task reads two partitions ({@code S-commands}
     * and the mostly empty {@code S-control}); at Kafka's default (0) each readiness check of such a
     * task formats log text for the empty partition whether or not it is logged, once per task per
     * pass of the stream thread, so the cost grew with the tasks: with 20 types (120 tasks) it was a
     * fifth of the stream thread's profile (docs/performance.md, many aggregate types). Kafka orders
     * records of different topics only by best effort either way; no Foldstream guarantee spans topics.
     *
     * <p>{@code statestore.uncommitted.max.bytes=-1}: no early commit for the transactional stores'
     * uncommitted writes. To decide on one, Kafka Streams sums the uncommitted bytes of every store
     * of every task on every pass of the stream thread: 4 % of its profile with 20 types (120 tasks,
     * 480 stores). A commit interval's writes stay far below the 64 MB that check guards (at 50,000
     * commands/s, about 3 MB per 100 ms), and a rebuild commits after each step; for a commit
     * interval over a second, {@link #earlyCommitsForLongIntervals} brings Kafka's default back.
     *
     * <p>{@code enable.metrics.push=false}: the clients do not collect their metrics for a push to
     * the broker (KIP-714). With it on, Kafka's default, every metric registered, dozens per store
     * of every task, also passes a telemetry collector that renames it with regular expressions, on
     * the stream thread while it initialises the tasks: a fifth of that time in a profile of a
     * 20-type start (docs/performance.md, the tenth round). Foldstream's metrics go to its own
     * endpoint; a cluster that collects client metrics by subscription gets them back with
     * {@code enable.metrics.push=true}.
     *
     * <p>{@code processing.exception.handler.global.enabled=true}: Foldstream's processing handler
     * ({@link PoisonHandlers}) is set, and without this Kafka 4.x warns at every configuration it
     * builds that the handler does not cover global stores (six warnings per start, one of them from
     * the configuration the assignor builds from the main consumer's settings). Foldstream has
     * no global stores, so nothing else changes; Kafka 5.0 makes it the default.
     */
    public static Map<String, Object> defaults(String applicationId, String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        settings.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
        settings.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED");
        settings.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, org.apache.kafka.common.serialization.Serdes.ByteArraySerde.class);
        settings.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, org.apache.kafka.common.serialization.Serdes.ByteArraySerde.class);
        settings.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), ProducerBatching.LARGEST);
        settings.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), LINGER_MS);
        settings.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), RESTORE_FETCH_MAX_WAIT_MS);
        settings.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        settings.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, NO_EARLY_COMMIT);
        settings.put(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        // A record that fails the same way on every try must not block its partition (README, "Choices").
        settings.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonHandlers.Processing.class);
        settings.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Kafka Streams' assignor builds a configuration of its own from the main consumer's settings, and warns there too.
        settings.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        settings.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonHandlers.Production.class);
        settings.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, CommandTimestamps.class);
        // Stores open faster: no 16 file-opening threads per store (README, "Choices").
        settings.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
        settings.putAll(FailoverDefaults.STREAMS);
        return settings;
    }

    /**
     * Takes out each of Foldstream's prefixed defaults ({@code producer.linger.ms}, ...) whose plain
     * setting the user's properties {@code given} choose without the prefixed one, so that the
     * user's value wins: Kafka Streams would prefer Foldstream's prefixed default to it. Called
     * before the user's properties go over {@code config}.
     *
     * <pre>{@code
     * Map<String, Object> config = StreamsSettings.defaults(applicationId, bootstrap);
     * StreamsSettings.plainSettingsWin(config, Map.of("linger.ms", "20"));   // producer.linger.ms goes
     * config.putAll(userProperties);
     * }</pre>
     */
    public static void plainSettingsWin(Map<String, Object> config, Map<String, String> given) {
        PREFIXED_DEFAULTS.forEach((prefixed, plain) -> {
            if (given.containsKey(plain) && !given.containsKey(prefixed)) {
                config.remove(prefixed);
            }
        });
    }

    /**
     * Gives back Kafka's early commit ({@code statestore.uncommitted.max.bytes}, 64 MB) when
     * {@code config}, the defaults with the user's properties {@code given} over them, commits less
     * often than once a second and the user did not choose the limit: a long interval's uncommitted
     * writes could then grow without bound.
     *
     * <pre>{@code
     * Map<String, Object> config = StreamsSettings.defaults(applicationId, bootstrap);
     * config.putAll(userProperties);
     * StreamsSettings.earlyCommitsForLongIntervals(config, userProperties);
     * }</pre>
     */
    public static void earlyCommitsForLongIntervals(Map<String, Object> config, Map<String, String> given) {
        if (given.containsKey(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)) {
            return;
        }
        Object interval = config.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        long millis;
        try {
            millis = interval == null ? 0 : Long.parseLong(String.valueOf(interval).trim());
        } catch (NumberFormatException e) {
            return; // Kafka Streams refuses the value itself, naming it
        }
        if (millis > LONGEST_INTERVAL_WITHOUT_EARLY_COMMIT_MS) {
            config.remove(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG);
        }
    }
}
