package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Foldstream's {@code rocksdb.config.setter}: Kafka Streams' RocksDB options, with one change that
 * shortens every store's opening. RocksDB opens a store's table files on
 * {@code max_file_opening_threads} threads (16 by default) and starts them at every opening, even
 * of a new, empty store; a worker opens three stores per task on its stream thread, one after
 * another (18 for six partitions), before it processes anything. One thread opens the few files of
 * a Foldstream store (universal compaction keeps them few) about as fast, without starting 16
 * threads per store and column family (README, "Performance", start-up).
 *
 * <p>A user's own {@code rocksdb.config.setter} replaces this one (it is a default like the others
 * of {@link StreamsSettings}).
 *
 * <pre>{@code
 * settings.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreOpening.class);
 * }</pre>
 */
public final class StoreOpening implements RocksDBConfigSetter {

    /** Table files a store opens at once when it opens. */
    static final int FILE_OPENING_THREADS = 1;

    /** Kafka Streams makes one per store, with a public no-argument constructor. */
    public StoreOpening() {
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setMaxFileOpeningThreads(FILE_OPENING_THREADS);
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing of its own to free: it only sets a number on Kafka Streams' options.
    }
}
