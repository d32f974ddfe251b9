package foldstream.worker.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.AvroWireCodec;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds one task's snapshots from its partition of {@code S-events} in bounded steps, each small
 * enough for one transaction: the processor runs a step, requests a commit, and holds the
 * partition's commands back until the rebuild is done, so no command is decided against a partial
 * store. A checkpoint (phase and next offset) is stored in the snapshot store with each step, so
 * it commits with the snapshots it describes: after a crash the rebuild resumes from the last
 * committed step, and a task whose store is already current only reads the events written since
 * its last checkpoint, folding none that the store holds.
 *
 * <p>Two ways in: {@link #catchUp()} (pure event sourcing, when a task starts: continue from the
 * checkpoint) and {@link #replay()} (delete every snapshot, then fold from offset 0 with the
 * current {@code evolve}).
 */
final class PartitionRebuild<S extends SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRebuild.class);
    private static final byte FORMAT = 'R';
    /** A progress line every this many steps (every 500,000 events at the default batch). */
    private static final int PROGRESS_EVERY_STEPS = 10;
    /**
     * A step also ends after this much folding: the steps of all of a thread's tasks between two
     * commits share one transaction, which {@code exactly_once_v2} aborts after
     * {@code transaction.timeout.ms} (10 s in Kafka Streams); on a loaded machine six steps of a
     * whole batch took longer, and every task started over from its checkpoint, again and again
     * (with a second per step too). A quiet machine folds a whole batch within it.
     */
    private static final long STEP_BUDGET_MILLIS = 250;
    /** Events asked for at a time within a step; the clock is looked at between two such reads. */
    private static final int CHUNK = 1_000;

    /** Where a rebuild stands, as the checkpoint stores it. */
    enum Phase { CLEARING, FOLDING, CURRENT }

    private final AggregateType<S> type;
    private final AvroWireCodec codec;
    private final SnapshotStore<S> snapshots;
    private final EventLog eventLog;
    private final Map<String, Object> config;
    private final String topic;
    private final int partition;
    private final int batch;
    private final RebuildBoard board;
    private final LongSupplier commits;
    private final LongSupplier millis;
    private long foldAfterCommit = -1;

    private Phase phase = Phase.CURRENT;
    private long next;
    private boolean running;
    private EventLog.Reader reader;
    private long folded;
    private long skipped;
    private long created;
    private long failures;
    private String firstFailure;
    private final Set<String> broken = new HashSet<>();
    private long startedNanos;
    private long steps;

    PartitionRebuild(AggregateType<S> type, AvroWireCodec codec, SnapshotStore<S> snapshots, EventLog eventLog,
                     Map<String, Object> config, int partition, int batch, RebuildBoard board, LongSupplier commits,
                     LongSupplier millis) {
        this.commits = commits;
        this.millis = millis;
        this.type = type;
        this.codec = codec;
        this.snapshots = snapshots;
        this.eventLog = eventLog;
        this.config = config;
        this.topic = AggregateTopics.of(type.name()).events();
        this.partition = partition;
        this.batch = batch;
        this.board = board;
    }

    /** Pure event sourcing's start: continue from the stored checkpoint (from offset 0 without one). Reads the store only. */
    void catchUp() {
        byte[] stored = snapshots.checkpoint();
        if (stored == null) {
            start(Phase.FOLDING, 0);
        } else {
            ByteBuffer buffer = ByteBuffer.wrap(stored);
            if (buffer.remaining() != 10 || buffer.get() != FORMAT) {
                throw new IllegalStateException(type.name() + " partition " + partition + ": rebuild checkpoint in an unknown format");
            }
            Phase storedPhase = Phase.values()[buffer.get()];
            // A current store has every event below its offset: what came after is read, and folded only where missing.
            start(storedPhase == Phase.CURRENT ? Phase.FOLDING : storedPhase, buffer.getLong());
        }
        foldAfterCommit = -1; // a task starting has no transaction of its own behind it
    }

    /** Resumes a rebuild (a replay) that a crash or a rebalance interrupted; nothing when none was. Reads the store only. */
    void resumeIfInterrupted() {
        byte[] stored = snapshots.checkpoint();
        if (stored != null && stored.length == 10 && stored[1] != Phase.CURRENT.ordinal()) {
            catchUp();
        }
    }

    /**
     * A replay: every snapshot of the task deleted, then every event folded again, read once the
     * transaction open now (which may hold events of this task) has committed.
     */
    void replay() {
        start(Phase.CLEARING, 0);
        foldAfterCommit = commits.getAsLong();
    }

    private void start(Phase from, long offset) {
        closeReader();
        phase = from;
        next = offset;
        running = true;
        folded = skipped = created = failures = 0;
        firstFailure = null;
        broken.clear();
        startedNanos = System.nanoTime();
        steps = 0;
        LOG.info("{} partition {}: rebuild from S-events starts ({} from offset {}); commands wait for it",
                type.name(), partition, from, offset);
        publish();
    }

    /** Whether commands must wait: a rebuild is under way. */
    boolean running() {
        return running;
    }

    /**
     * One bounded step: deletes up to a batch of snapshots, or folds up to a batch of events (fewer
     * when they take over a quarter of a second), then stores the checkpoint. The caller commits after it.
     *
     * @return whether the rebuild is done
     */
    boolean step() {
        if (!running) {
            return true;
        }
        if (phase == Phase.CLEARING) {
            if (snapshots.deleteSome(batch) < batch) {
                phase = Phase.FOLDING;
                next = 0;
            }
        } else {
            fold();
        }
        snapshots.checkpoint(encode(phase, next));
        publish();
        if (phase == Phase.CURRENT) {
            running = false;
            closeReader();
            publish();
            LOG.info("{} partition {}: rebuilt from S-events up to offset {}: {} events folded, {} already in the store, {} not foldable, in {} ms",
                    type.name(), partition, next, folded, skipped, failures, (System.nanoTime() - startedNanos) / 1_000_000);
        } else if (++steps % PROGRESS_EVERY_STEPS == 0) {
            RebuildProgress now = board.get(type.name(), partition);
            LOG.info("{} partition {}: rebuilding ({}): {} events folded, {} already in the store, {} offsets to go, {} events/s",
                    type.name(), partition, phase, now.folded(), now.skipped(), now.toGo(),
                    (now.folded() + now.skipped()) * 1_000_000_000L / Math.max(1, System.nanoTime() - startedNanos));
        }
        return !running;
    }

    /** Folds the next batch of events into the store: each aggregate's state is evolved in memory across the batch and written once. */
    private void fold() {
        if (reader == null && commits.getAsLong() <= foldAfterCommit) {
            return; // the events of the transaction the replay came in are not committed yet
        }
        if (reader == null) {
            reader = eventLog.open(config, topic, partition);
            if (LOG.isInfoEnabled() && reader.end() > next) {
                LOG.info("{} partition {}: {} offsets of S-events to read", type.name(), partition, reader.end() - next);
            }
        }
        EventFold<S> fold = new EventFold<>(type, codec, snapshots::stored);
        long deadline = millis.getAsLong() + STEP_BUDGET_MILLIS;
        int read = 0;
        // Read in chunks (a poll's worth from Kafka), so the time budget bounds reading too and nothing read is read again.
        do {
            EventLog.Batch chunk = reader.read(next, Math.min(CHUNK, batch - read));
            chunk.records().forEach(record -> foldOne(fold, record));
            read += chunk.records().size();
            next = chunk.next();
        } while (read < batch && next < reader.end() && millis.getAsLong() <= deadline);
        created += fold.created();
        fold.snapshots().forEach((id, snapshot) -> snapshots.save(id, snapshot, snapshots.encodeState(snapshot.state())));
        if (next >= reader.end()) {
            phase = Phase.CURRENT;
        }
    }

    private void foldOne(EventFold<S> fold, ConsumerRecord<byte[], byte[]> record) {
        String id = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (id != null && broken.contains(id)) {
            failed(record, "an earlier event of the aggregate could not be folded");
            return;
        }
        try {
            if (fold.addIfNew(record, id)) {
                folded++;
            } else {
                skipped++;
            }
        } catch (RuntimeException | StackOverflowError e) {
            // An unreadable event, a version gap or a throwing evolve: that aggregate stays at its last good version.
            if (id != null) {
                broken.add(id);
            }
            failed(record, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void failed(ConsumerRecord<byte[], byte[]> record, String why) {
        failures++;
        String what = "event at " + record.topic() + "/" + record.partition() + "/" + record.offset() + ": " + why;
        if (firstFailure == null) {
            firstFailure = what;
        }
        LOG.error("{} partition {}: rebuild cannot fold {}", type.name(), partition, what);
    }

    private void publish() {
        long toGo = phase == Phase.CURRENT ? 0 : reader == null ? -1 : Math.max(0, reader.end() - next);
        board.update(new RebuildProgress(type.name(), partition, running, folded, skipped, toGo, failures));
    }

    RebuildProgress progress() {
        return board.get(type.name(), partition);
    }

    /** Aggregates whose first event the rebuild folded. */
    long created() {
        return created;
    }

    /** The first event that could not be folded, or {@code null}. */
    String firstFailure() {
        return firstFailure;
    }

    void close() {
        closeReader();
        running = false;
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    private static byte[] encode(Phase phase, long next) {
        return ByteBuffer.allocate(10).put(FORMAT).put((byte) phase.ordinal()).putLong(next).array();
    }
}
