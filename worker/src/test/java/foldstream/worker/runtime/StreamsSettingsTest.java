package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void tasksDoNotWaitOnTheirEmptyControlPartition() {
        // Kafka's default (0) checks every empty input partition of every task on every pass of the
        // stream thread, formatting log text each time: a cost that grew with the number of types.
        assertThat(StreamsSettings.defaults("app", "localhost:9092"))
                .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
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
}
