package foldstream.ops.jmh;

import foldstream.worker.runtime.StoreOpening;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A RocksDB database in a temporary folder, for benchmarks of what a store costs, opened as a
 * Foldstream store opens: Kafka Streams' {@code RocksDBStore} defaults (universal compaction, 16 MB
 * write buffers, three of them, bloom filters but none on the bottommost level, a 50 MB block
 * cache), and with {@code foldstream} Foldstream's {@code rocksdb.config.setter} on top
 * ({@link StoreOpening}) for the store named. Writes go without a write-ahead log, as Kafka Streams
 * writes; closing deletes the folder.
 *
 * <pre>{@code
 * try (ScratchStore store = ScratchStore.open(true, AggregateTopics.of("ex_accounts").commandIdStore());
 *      WriteBatch batch = new WriteBatch()) {
 *     batch.put(key, value);
 *     store.write(batch);
 *     store.db().get(key);
 * }
 * }</pre>
 */
final class ScratchStore implements AutoCloseable {

    private final Path dir;
    private final LRUCache blockCache = new LRUCache(50L * 1024 * 1024);
    private final BloomFilter filter = new BloomFilter();
    private final Options options;
    private final WriteOptions noWal = new WriteOptions().setDisableWAL(true);
    private final RocksDB db;

    private ScratchStore(Path dir, boolean foldstream, String storeName) throws RocksDBException {
        this.dir = dir;
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
        db = RocksDB.open(options, dir.toString());
    }

    /** A new, empty store with Kafka Streams' options, and Foldstream's for {@code storeName} when {@code foldstream}. */
    static ScratchStore open(boolean foldstream, String storeName) throws IOException, RocksDBException {
        RocksDB.loadLibrary();
        return new ScratchStore(Files.createTempDirectory("foldstream-scratch-store"), foldstream, storeName);
    }

    RocksDB db() {
        return db;
    }

    /** Writes {@code batch} as Kafka Streams writes to its stores: without a write-ahead log. */
    void write(WriteBatch batch) throws RocksDBException {
        db.write(noWal, batch);
    }

    @Override
    public void close() throws IOException {
        noWal.close();
        db.close();
        options.close();
        filter.close();
        blockCache.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
