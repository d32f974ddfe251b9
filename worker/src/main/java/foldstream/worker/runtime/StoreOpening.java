package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Foldstream's {@code rocksdb.config.setter}: Kafka Streams' RocksDB options, with two changes.
 *
 * <p>Every store opens faster. RocksDB opens a store's table files on
 * {@code max_file_opening_threads} threads (16 by default) and starts them at every opening, even
 * of a new, empty store; a worker opens three stores per task on its stream thread, one after
 * another (18 for six partitions), before it processes anything. One thread opens the few files of
 * a Foldstream store (universal compaction keeps them few) about as fast, without starting 16
 * threads per store and column family (docs/performance.md, start-up).
 *
 * <p>The answered-commands store ({@link AggregateTopics#commandIdStore()}) finds a new command id
 * absent without searching for it. Nearly every lookup there misses (a command is new unless it is
 * retried), but Kafka Streams sets {@code optimize_filters_for_hits}, which leaves the bottommost
 * level, where most of the window lies, without bloom filters: every new command then searched an
 * index block and a data block of it, slower the more the window holds (a new command's lookup and
 * write in a store of 4,000,000 answers: 8.5 µs, 4.0 µs with filters on every level and in the
 * memtable; JMH {@code AnsweredLookup}, docs/performance.md). The cost: the bottommost level's
 * filters, about 1.25 bytes of memory per answered command the window holds, and a memtable filter
 * of 1 % of each write buffer.
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
    /** The share of an answered-commands store's write buffer that filters its memtable's keys. */
    static final double MEMTABLE_FILTER_RATIO = 0.01;

    /** Kafka Streams makes one per store, with a public no-argument constructor. */
    public StoreOpening() {
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setMaxFileOpeningThreads(FILE_OPENING_THREADS);
        if (AggregateTopics.isCommandIdStore(storeName)) {
            options.setOptimizeFiltersForHits(false);
            options.setMemtablePrefixBloomSizeRatio(MEMTABLE_FILTER_RATIO);
            options.setMemtableWholeKeyFiltering(true);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing of its own to free: it only sets numbers and flags on Kafka Streams' options.
    }
}
