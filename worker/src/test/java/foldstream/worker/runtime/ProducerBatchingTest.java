package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProducerBatchingTest {

    private static final String BATCH_SIZE = StreamsConfig.producerPrefix("batch.size");
    private static final String LINGER = StreamsConfig.producerPrefix("linger.ms");

    private static Map<String, Object> fitted(Map<String, String> given, int types, int partitions) {
        Map<String, Object> config = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        ProducerBatching.fit(config, given, types, partitions);
        StreamsSettings.plainSettingsWin(config, given);
        config.putAll(given); // as the worker does: the user's properties last
        return config;
    }

    @Test
    void aFewTypesKeepLargeBatches() {
        assertThat(fitted(Map.of(), 1, 6)).containsEntry(BATCH_SIZE, 128 * 1024);
        assertThat(fitted(Map.of(), 5, 6)).containsEntry(BATCH_SIZE, 128 * 1024);
    }

    @Test
    void manyPartitionsShareTheProducersMemory() {
        // 20 types of 6 partitions write ~480 partitions: two batches each within 32 MiB.
        int size = (int) fitted(Map.of(), 20, 6).get(BATCH_SIZE);
        assertThat(size).isLessThan(128 * 1024).isGreaterThanOrEqualTo(16 * 1024);
        assertThat(2L * 480 * size).isLessThanOrEqualTo(32L * 1024 * 1024);
        // Never below Kafka's own default.
        assertThat(fitted(Map.of(), 200, 24)).containsEntry(BATCH_SIZE, 16 * 1024);
    }

    @Test
    void moreBufferMemoryAllowsLargerBatches() {
        assertThat(fitted(Map.of("producer.buffer.memory", String.valueOf(128L * 1024 * 1024)), 20, 6))
                .containsEntry(BATCH_SIZE, 128 * 1024);
    }

    @Test
    void aFewPartitionsLingerFiveMillisecondsManyKeepKafkaStreamsHundred() {
        // One type of 6 partitions writes 24 partitions; 5 types 120: batches go out within 5 ms.
        assertThat(fitted(Map.of(), 1, 6)).containsEntry(LINGER, 5);
        assertThat(fitted(Map.of(), 5, 6)).containsEntry(LINGER, 5);
        // 20 types write ~480: a 5 ms batch would hold a few records each.
        assertThat(fitted(Map.of(), 20, 6)).containsEntry(LINGER, 100);
        assertThat(fitted(Map.of(), 1, 48)).containsEntry(LINGER, 100);
        // The user's own linger wins either way.
        assertThat(fitted(Map.of(LINGER, "20"), 20, 6)).containsEntry(LINGER, "20");
        assertThat(fitted(Map.of(LINGER, "0"), 1, 6)).containsEntry(LINGER, "0");
    }

    @Test
    void theUsersPlainProducerSettingsWinOverFoldstreamsPrefixedOnes() {
        // Kafka Streams gives producer.linger.ms precedence over linger.ms: Foldstream's prefixed defaults must step aside.
        Map<String, Object> producer = new StreamsConfig(fitted(Map.of("linger.ms", "20", "batch.size", "65536"), 1, 6))
                .getProducerConfigs("client");
        assertThat(producer).containsEntry("linger.ms", "20").containsEntry("batch.size", "65536");
        Map<String, Object> many = new StreamsConfig(fitted(Map.of("linger.ms", "20"), 20, 6)).getProducerConfigs("client");
        assertThat(many).containsEntry("linger.ms", "20");
    }

    @Test
    void theUsersBatchSizeWins() {
        assertThat(fitted(Map.of(BATCH_SIZE, "65536"), 20, 6)).containsEntry(BATCH_SIZE, "65536");
    }
}
