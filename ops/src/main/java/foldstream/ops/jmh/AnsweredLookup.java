package foldstream.ops.jmh;

import foldstream.worker.runtime.AggregateTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * What a new command costs the answered-commands store: a lookup of its id, absent, and the write
 * of its answer, in a RocksDB store that already holds {@code answers} answers, opened with Kafka
 * Streams' options ({@code options=kafka-streams}: its {@code RocksDBStore} defaults, universal
 * compaction, 16 MB write buffers, bloom filters but none on the bottommost level) or with
 * Foldstream's on top ({@code options=foldstream}: {@link foldstream.worker.runtime.StoreOpening}). Writes go in batches of
 * 500, as a commit writes a task's uncommitted answers; every measured command adds its answer, so
 * the store grows by a few million answers during a run, as a worker's window grows:
 * {@code ops/foldstream jmh -f 1 -wi 3 -w 2 -i 5 -r 2 AnsweredLookup}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.NANOSECONDS)
public class AnsweredLookup {

    private static final int BATCH = 500;
    private static final byte[] ANSWER = new byte[90];

    @Param({"kafka-streams", "foldstream"})
    public String options;

    @Param({"170000", "4000000"})
    public int answers;

    private ScratchStore store;
    private WriteBatch batch;
    private final SplittableRandom random = new SplittableRandom(7);
    private long next;

    @Setup(Level.Trial)
    public void open() throws IOException, RocksDBException {
        store = ScratchStore.open(options.equals("foldstream"), AggregateTopics.of("ex_accounts").commandIdStore());
        batch = new WriteBatch();
        for (int i = 0; i < answers; i++) {
            batch.put(newCommandKey(random, next++), ANSWER);
            if (batch.count() == BATCH) {
                store.write(batch);
                batch.clear();
            }
        }
        store.write(batch);
        batch.clear();
    }

    /** A command id never answered (the {@code n}th), on one of 30,000 aggregates, keyed as {@code AnsweredCommands} keys it. */
    static byte[] newCommandKey(SplittableRandom random, long n) {
        String aggregate = "acc-" + random.nextInt(30_000);
        return (aggregate.length() + ":" + aggregate + "u" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** One new command: its id looked up (absent) and its answer written, with the batch's write every 500 commands. */
    @Benchmark
    public byte[] newCommand() throws RocksDBException {
        byte[] key = newCommandKey(random, next++);
        byte[] found = store.db().get(key);
        batch.put(key, ANSWER);
        if (batch.count() == BATCH) {
            store.write(batch);
            batch.clear();
        }
        return found;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        batch.close();
        store.close();
    }
}
