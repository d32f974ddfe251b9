package foldstream.ops.jmh;

import foldstream.worker.runtime.AggregateTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * What a takeover's restore costs per changelog record in RocksDB alone: Kafka Streams restores a
 * store by writing each batch the restore consumer returns (1,000 records at most) as one
 * {@code WriteBatch}, without a write-ahead log ({@code RocksDBStore.restoreBatch}); this does the
 * same with a store's options ({@link ScratchStore}). {@code store=snapshots}: snapshots of
 * 5,000 aggregates (one partition's share of 30,000), about 150 bytes each, written over and over;
 * {@code store=command-ids}: answers under command ids never seen before, about 90 bytes, as the
 * answered-commands changelog holds them. The score is per record, the time on the thread that
 * restores ({@code ops/foldstream jmh -f 1 -wi 3 -w 2 -i 5 -r 2 RestoreWrite}); the
 * restore analysis (docs/performance.md, the twelfth round) sets it against a takeover's two million records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.NANOSECONDS)
public class RestoreWrite {

    private static final int BATCH = 1_000;
    private static final int AGGREGATES = 5_000;

    @Param({"snapshots", "command-ids"})
    public String store;

    private boolean snapshots;
    private ScratchStore target;
    private WriteBatch batch;
    private byte[] value;
    private final SplittableRandom random = new SplittableRandom(11);
    private long next;

    @Setup(Level.Trial)
    public void open() throws IOException, RocksDBException {
        AggregateTopics topics = AggregateTopics.of("ex_accounts");
        // Decided once: the key of every record of the measured loop depends on it.
        snapshots = store.equals("snapshots");
        target = ScratchStore.open(true, snapshots ? topics.snapshotStore() : topics.commandIdStore());
        batch = new WriteBatch();
        value = new byte[snapshots ? 150 : 90];
        random.nextBytes(value);
    }

    private byte[] nextKey() {
        return snapshots
                ? ("acc-" + random.nextInt(AGGREGATES)).getBytes(StandardCharsets.UTF_8)
                : AnsweredLookup.newCommandKey(random, next++);
    }

    /** One restore batch: a thousand records put into a write batch, and the batch written. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void restoreBatch() throws RocksDBException {
        for (int i = 0; i < BATCH; i++) {
            batch.put(nextKey(), value);
        }
        target.write(batch);
        batch.clear();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        batch.close();
        target.close();
    }
}
