package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class StreamsSettingsTest {

    @Test
    void exactlyOnceV2IsTheDefault() {
        assertThat(StreamsSettings.defaults("app", "localhost:9092"))
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "app")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    }

    @Test
    void storesAreTransactionalAndQueriesReadCommitted() {
        assertThat(StreamsSettings.defaults("app", "localhost:9092"))
                .containsEntry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true)
                .containsEntry(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED");
        // Kafka Streams accepts them as they are.
        new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092"));
    }

    @Test
    void producerBatchesGoOutWithinFiveMillisecondsNotAtTheCommit() {
        // Kafka Streams' own default is 100 ms: under exactly-once most records then wait for the commit to send them.
        Map<String, Object> producer = new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092")).getProducerConfigs("client");
        assertThat(producer).containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        Map<String, Object> chosen = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        chosen.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        assertThat(new StreamsConfig(chosen).getProducerConfigs("client")).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "0");
    }

    @Test
    void theRestoreConsumerWaitsAtMostATenthOfASecondForNothingNew() {
        // A broker answers one connection's requests in order: a task joining the restore consumer
        // waits behind a fetch the broker holds, 500 ms at Kafka's default.
        Map<String, Object> restore = new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092")).getRestoreConsumerConfigs("client");
        assertThat(restore).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // The main consumer keeps Kafka's default.
        assertThat(new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092")).getMainConsumerConfigs("group", "client", 0))
                .doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    }

    @Test
    void theUsersPlainSettingWinsOverFoldstreamsPrefixedDefault() {
        // Kafka Streams prefers restore.consumer.fetch.max.wait.ms to fetch.max.wait.ms: the default steps aside.
        Map<String, String> given = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "300");
        Map<String, Object> config = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        StreamsSettings.plainSettingsWin(config, given);
        config.putAll(given);
        assertThat(new StreamsConfig(config).getRestoreConsumerConfigs("client")).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "300");
        // Given prefixed, the user's own prefixed value is the one that counts.
        Map<String, String> prefixed = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "300",
                StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "20");
        Map<String, Object> both = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        StreamsSettings.plainSettingsWin(both, prefixed);
        both.putAll(prefixed);
        assertThat(new StreamsConfig(both).getRestoreConsumerConfigs("client")).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    }

    @Test
    void noClientCollectsItsMetricsForAPushToTheBroker() {
        // With it on, every metric a task's stores register also passes the telemetry collector, on the stream thread.
        StreamsConfig config = new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092"));
        assertThat(config.getMainConsumerConfigs("group", "client", 0)).containsEntry(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        assertThat(config.getRestoreConsumerConfigs("client")).containsEntry(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        assertThat(config.getProducerConfigs("client")).containsEntry(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        assertThat(config.getAdminConfigs("client")).containsEntry(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, false);
        // A cluster that collects client metrics gets them back with the plain setting.
        Map<String, Object> chosen = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        chosen.put(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, "true");
        assertThat(new StreamsConfig(chosen).getProducerConfigs("client")).containsEntry(StreamsConfig.ENABLE_METRICS_PUSH_CONFIG, "true");
    }

    @Test
    void theProcessingHandlerCoversGlobalStoresSoKafkaDoesNotWarnAtEveryStart() {
        // Kafka 4.x warns at every StreamsConfig built with a processing handler that leaves global stores out.
        StreamsConfig config = new StreamsConfig(StreamsSettings.defaults("app", "localhost:9092"));
        assertThat(config.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
        // The assignor builds its own from the main consumer's settings: it must see the flag as well.
        assertThat(new StreamsConfig(config.getMainConsumerConfigs("group", "client", 0))
                .getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
    }

    @Test
    void tasksDoNotWaitOnTheirEmptyControlPartition() {
        // Kafka's default (0) checks every empty input partition of every task on every pass of the
        // stream thread, formatting log text each time: a cost that grew with the number of types.
        assertThat(StreamsSettings.defaults("app", "localhost:9092"))
                .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    }

    @Test
    void noEarlyCommitWhileTheCommitIntervalIsShort() {
        // Kafka's check for an early commit sums every store of every task on every pass of the stream thread.
        Map<String, Object> config = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        assertThat(config).containsEntry(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, -1L);
        Map<String, String> given = Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        config.putAll(given);
        StreamsSettings.earlyCommitsForLongIntervals(config, given);
        assertThat(new StreamsConfig(config).getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)).isEqualTo(-1L);
    }

    @Test
    void aLongCommitIntervalGetsKafkasEarlyCommitBackUnlessTheUserChoseALimit() {
        long kafkasDefault = new StreamsConfig(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "app",
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")).getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG);
        Map<String, Object> config = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        Map<String, String> given = Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5000");
        config.putAll(given);
        StreamsSettings.earlyCommitsForLongIntervals(config, given);
        assertThat(new StreamsConfig(config).getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)).isEqualTo(kafkasDefault);

        Map<String, Object> chosen = new HashMap<>(StreamsSettings.defaults("app", "localhost:9092"));
        Map<String, String> givenWithLimit = Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5000",
                StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, "-1");
        chosen.putAll(givenWithLimit);
        StreamsSettings.earlyCommitsForLongIntervals(chosen, givenWithLimit);
        assertThat(new StreamsConfig(chosen).getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)).isEqualTo(-1L);
    }

    @Test
    void storesOpenWithOneFileOpeningThread(@TempDir Path dir) throws Exception {
        assertThat(StreamsSettings.defaults("app", "localhost:9092"))
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
        try (Options options = new Options().setCreateIfMissing(true)) {
            new StoreOpening().setConfig("snapshots", options, Map.of());
            assertThat(options.maxFileOpeningThreads()).isEqualTo(1);
            // RocksDB accepts the options: a store opens, takes a write and reads it back.
            try (RocksDB db = RocksDB.open(options, Files.createDirectories(dir.resolve("store")).toString())) {
                db.put("k".getBytes(), "v".getBytes());
                assertThat(db.get("k".getBytes())).isEqualTo("v".getBytes());
            }
        }
    }

    @Test
    void answeredCommandsAreFilteredOnEveryLevelAndInTheMemtable(@TempDir Path dir) throws Exception {
        // Kafka Streams' own choice, which the snapshots keep: their lookups mostly find an aggregate.
        try (Options snapshots = new Options().setOptimizeFiltersForHits(true)) {
            new StoreOpening().setConfig(AggregateTopics.of("ex_accounts").snapshotStore(), snapshots, Map.of());
            assertThat(snapshots.optimizeFiltersForHits()).isTrue();
            assertThat(snapshots.memtablePrefixBloomSizeRatio()).isZero();
        }
        try (Options answered = new Options().setCreateIfMissing(true).setOptimizeFiltersForHits(true)) {
            new StoreOpening().setConfig(AggregateTopics.of("ex_accounts").commandIdStore(), answered, Map.of());
            assertThat(answered.optimizeFiltersForHits()).isFalse();
            assertThat(answered.memtablePrefixBloomSizeRatio()).isEqualTo(StoreOpening.MEMTABLE_FILTER_RATIO);
            assertThat(answered.memtableWholeKeyFiltering()).isTrue();
            // A new command id is absent, an answered one found, through the memtable and after a flush to a table file.
            try (RocksDB db = RocksDB.open(answered, Files.createDirectories(dir.resolve("answered")).toString());
                 FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.put("3:abcC-1".getBytes(), "answer".getBytes());
                assertThat(db.get("3:abcC-2".getBytes())).isNull();
                db.flush(flush);
                assertThat(db.get("3:abcC-1".getBytes())).isEqualTo("answer".getBytes());
                assertThat(db.get("3:abcC-2".getBytes())).isNull();
            }
        }
    }
}
