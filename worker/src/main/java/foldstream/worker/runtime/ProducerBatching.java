package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The producer batch size and linger for the partitions a worker writes. A producer sets aside a whole
 * {@code batch.size} buffer for each partition it has a record for, out of {@code buffer.memory}
 * (32 MiB by default), and a send blocks the stream thread while that pool is empty. One aggregate
 * type writes about four partitions per partition of {@code S-commands} (events, results, the
 * snapshot and command-id changelogs), so 20 types of 6 partitions write ~480 partitions per
 * transaction: 480 batches of 128 KiB are 60 MiB, more than the pool, each holding a few records.
 * So the batch size shrinks with the partitions written, from 128 KiB (Foldstream's default, best
 * for a few busy partitions) down to Kafka's 16 KiB, keeping two batches per partition within the
 * pool (docs/performance.md, many aggregate types).
 *
 * <p>Beyond the partitions whose batches keep their full size (128 with Kafka's pool), batches
 * also linger Kafka Streams' 100 ms instead of Foldstream's 5 ({@link StreamsSettings}): spread over
 * that many partitions a worker's records fill a 5 ms batch with a few each, and the producer's pass
 * over every partition with such batches cost 20 types of 6 partitions 7 % of their commands/s
 * (63,291 against 68,409, docs/performance.md, the seventh round). With a few partitions the short
 * linger makes the commits shorter and the p99 lower.
 *
 * <pre>{@code
 * Map<String, Object> config = new HashMap<>(StreamsSettings.defaults(applicationId, bootstrap));
 * ProducerBatching.fit(config, userProperties, types.size(), partitions);
 * }</pre>
 */
public final class ProducerBatching {

    /** Foldstream's batch size for a few busy partitions (StreamsSettings). */
    static final int LARGEST = 128 * 1024;
    /** Kafka's default batch size: never below it. */
    static final int SMALLEST = 16 * 1024;
    /** Kafka's default {@code buffer.memory}. */
    static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
    /** Partitions written per partition of a type's {@code S-commands}: events, results, two changelogs. */
    static final int WRITTEN_PER_PARTITION = 4;
    /** The most partitions whose batches keep the largest size in Kafka's default pool; beyond, batches linger longer. */
    static final int FEW_PARTITIONS = (int) (DEFAULT_BUFFER_MEMORY / (2L * LARGEST));
    /** Kafka Streams' own {@code linger.ms}, kept for a worker that writes more than {@link #FEW_PARTITIONS}. */
    static final int MANY_PARTITIONS_LINGER_MS = 100;

    private ProducerBatching() {
    }

    /** The batch size that keeps two batches for each of {@code writtenPartitions} within {@code bufferMemory}. */
    public static int batchSize(long bufferMemory, int writtenPartitions) {
        long each = bufferMemory / (2L * Math.max(1, writtenPartitions));
        return (int) Math.max(SMALLEST, Math.min(LARGEST, each));
    }

    /**
     * Sets {@code producer.batch.size} for {@code types} aggregate types of {@code partitions}
     * partitions each, unless {@code given} (the user's properties) sets a batch size itself, and
     * {@code producer.linger.ms} back to Kafka Streams' 100 ms when they write more than
     * {@link #FEW_PARTITIONS}. The user's properties, put over {@code config} afterwards, win (a
     * plain {@code batch.size} or {@code linger.ms} of theirs through {@link StreamsSettings#plainSettingsWin}).
     */
    public static void fit(Map<String, Object> config, Map<String, String> given, int types, int partitions) {
        int written = types * partitions * WRITTEN_PER_PARTITION;
        if (types > 0 && written > FEW_PARTITIONS) {
            config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), MANY_PARTITIONS_LINGER_MS);
        }
        if (types > 0 && !chooses(given, ProducerConfig.BATCH_SIZE_CONFIG)) {
            config.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), batchSize(bufferMemory(given), written));
        }
    }

    /** Whether the user's properties set a producer setting, plain or {@code producer.}-prefixed. */
    private static boolean chooses(Map<String, String> given, String setting) {
        return given.containsKey(setting) || given.containsKey(StreamsConfig.producerPrefix(setting));
    }

    private static long bufferMemory(Map<String, String> given) {
        String value = given.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG),
                given.get(ProducerConfig.BUFFER_MEMORY_CONFIG));
        if (value == null) {
            return DEFAULT_BUFFER_MEMORY;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_BUFFER_MEMORY; // Kafka Streams refuses the value itself, naming it
        }
    }
}
