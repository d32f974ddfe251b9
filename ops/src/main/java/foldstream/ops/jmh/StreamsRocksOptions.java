package foldstream.ops.jmh;

import foldstream.worker.runtime.StoreOpening;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

/**
 * The RocksDB options a Foldstream store opens with, for benchmarks that open RocksDB themselves:
 * Kafka Streams' {@code RocksDBStore} defaults (universal compaction, 16 MB write buffers, three of
 * them, bloom filters but none on the bottommost level, a 50 MB block cache), and with
 * {@code foldstream} Foldstream's {@code rocksdb.config.setter} on top ({@link StoreOpening}) for
 * the store named. Closes what it made.
 *
 * <pre>{@code
 * try (StreamsRocksOptions rocks = StreamsRocksOptions.of(true, "ex_accounts-command-ids")) {
 *     RocksDB db = RocksDB.open(rocks.options(), dir.toString());
 * }
 * }</pre>
 */
final class StreamsRocksOptions implements AutoCloseable {

    private final LRUCache blockCache = new LRUCache(50L * 1024 * 1024);
    private final BloomFilter filter = new BloomFilter();
    private final Options options;

    private StreamsRocksOptions(boolean foldstream, String storeName) {
        BlockBasedTableConfig table = new BlockBasedTableConfig();
        table.setBlockCache(blockCache);
        table.setBlockSize(4096);
        table.setFilterPolicy(filter);
        options = new Options().setCreateIfMissing(true).setOptimizeFiltersForHits(true).setTableFormatConfig(table)
                .setWriteBufferSize(16L * 1024 * 1024).setCompressionType(CompressionType.NO_COMPRESSION)
                .setCompactionStyle(CompactionStyle.UNIVERSAL).setMaxWriteBufferNumber(3);
        options.setIncreaseParallelism(2);
        if (foldstream) {
            new StoreOpening().setConfig(storeName, options, Map.of());
        }
    }

    /** Kafka Streams' options, with Foldstream's setter for {@code storeName} when {@code foldstream}. */
    static StreamsRocksOptions of(boolean foldstream, String storeName) {
        return new StreamsRocksOptions(foldstream, storeName);
    }

    Options options() {
        return options;
    }

    @Override
    public void close() {
        options.close();
        filter.close();
        blockCache.close();
    }
}
