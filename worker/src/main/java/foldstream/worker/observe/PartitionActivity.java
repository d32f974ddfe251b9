package foldstream.worker.observe;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What one partition of a type's commands is doing on this instance: written by the stream thread
 * that owns the task (a few volatile writes per command), read by the metrics scrape and the health
 * checks. The number of commands waiting comes from {@link ClusterWatch}.
 *
 * <pre>{@code
 * PartitionActivity activity = metrics.partition("ex_users", 3);
 * activity.assigned();                  // the task is initialized
 * activity.started(record.timestamp()); // a command is being decided
 * activity.finished();                  // its result is written
 * }</pre>
 */
public final class PartitionActivity {

    /** A type's partition. */
    public record Key(String type, int partition) {
        @Override
        public String toString() {
            return type + "/" + partition;
        }
    }

    /** How long after its task was closed a partition that comes back keeps its history (a replaced thread's). */
    public static final long RETURN_GRACE_MILLIS = 120_000;

    private static final IntSupplier NO_SIZE = () -> 0;
    private static final LongSupplier NO_COUNT = () -> 0;

    private final Key key;
    private final LongSupplier wallClock;
    private volatile boolean owned;
    private volatile long releasedAt;
    private volatile long lastProgress;
    private volatile long inFlightSince;
    private volatile long inFlightTimestamp;
    private volatile long lastDecidedTimestamp;
    private volatile long waiting = -1;
    private volatile long waitingSince;
    private volatile LongSupplier hits = NO_COUNT;
    private volatile LongSupplier misses = NO_COUNT;
    private volatile IntSupplier size = NO_SIZE;
    private volatile long snapshots;
    private volatile long answered;

    PartitionActivity(Key key, LongSupplier wallClock) {
        this.key = key;
        this.wallClock = wallClock;
        this.lastProgress = wallClock.getAsLong();
    }

    public Key key() {
        return key;
    }

    /**
     * The task is initialized on this instance. A task that comes back soon after it was closed (a
     * stream thread replaced after a failure) keeps its last progress and the command it was
     * deciding, so a partition that fails again and again still shows as making no progress.
     *
     * @param grace how long after a release the partition's history is kept
     */
    public void assigned(long grace) {
        long now = wallClock.getAsLong();
        if (!owned && now - releasedAt > grace) {
            lastProgress = now;
            inFlightSince = 0;
        }
        owned = true;
    }

    /** The task is closed on this instance (moved away, or its thread failed). */
    public void released() {
        owned = false;
        releasedAt = wallClock.getAsLong();
        hits = NO_COUNT;
        misses = NO_COUNT;
        size = NO_SIZE;
    }

    /** Where the hot-aggregate cache's counts come from, while the task lives. */
    public void cache(LongSupplier hits, LongSupplier misses, IntSupplier size) {
        this.hits = hits;
        this.misses = misses;
        this.size = size;
    }

    /**
     * RocksDB's estimates of the keys in the task's snapshot store and answered-commands store, taken
     * by the stream thread now and then (a store is only safe to read on its own thread).
     */
    public void storeSizes(long snapshots, long answered) {
        this.snapshots = snapshots;
        this.answered = answered;
    }

    /** A command (with this record timestamp) is being decided; a command tried again keeps its first start. */
    public void started(long recordTimestamp) {
        if (inFlightSince == 0) {
            inFlightSince = wallClock.getAsLong();
        }
        inFlightTimestamp = recordTimestamp;
    }

    /** The command being decided is answered. */
    public void finished() {
        lastDecidedTimestamp = inFlightTimestamp;
        inFlightSince = 0;
        lastProgress = wallClock.getAsLong();
    }

    /** Commands waiting, from the committed and end offsets; -1 when not known yet. */
    void waiting(long commands) {
        if (commands > 0 && waiting <= 0) {
            waitingSince = wallClock.getAsLong();
        }
        this.waiting = commands;
    }

    /**
     * Milliseconds that commands have waited here with nothing decided: since the later of the last
     * decision and the moment commands began to wait (an idle partition that gets a command is not
     * stalled at once); 0 while none waits.
     */
    public long stalledMillis() {
        if (waiting <= 0) {
            return 0;
        }
        return Math.max(0, wallClock.getAsLong() - Math.max(lastProgress, waitingSince));
    }

    public long waiting() {
        return waiting;
    }

    double waitingOrNaN() {
        return owned && waiting >= 0 ? waiting : (owned ? Double.NaN : 0);
    }

    public boolean owned() {
        return owned;
    }

    /** Whether the partition was owned within the last {@code grace} ms (a thread being replaced counts). */
    public boolean ownedWithin(long grace) {
        return owned || wallClock.getAsLong() - releasedAt <= grace;
    }

    /** Milliseconds since a command was last decided here, or since the task was assigned. */
    public long sinceProgressMillis() {
        return Math.max(0, wallClock.getAsLong() - lastProgress);
    }

    /** Milliseconds the command being decided has been in progress, 0 when none is. */
    public long inFlightMillis() {
        long since = inFlightSince;
        return since == 0 ? 0 : Math.max(0, wallClock.getAsLong() - since);
    }

    /**
     * Age of the oldest command not yet decided, by its record timestamp: the one being decided, else,
     * while commands wait, an upper bound (the age of the last one decided: the next is newer). 0 when
     * none waits.
     */
    public long oldestUndecidedAgeMillis() {
        if (!owned) {
            return 0;
        }
        long now = wallClock.getAsLong();
        if (inFlightSince != 0) {
            return Math.max(0, now - inFlightTimestamp);
        }
        if (waiting > 0 && lastDecidedTimestamp > 0) {
            return Math.max(0, now - lastDecidedTimestamp);
        }
        return 0;
    }

    double snapshots() {
        return owned ? snapshots : 0;
    }

    double answered() {
        return owned ? answered : 0;
    }

    double cacheHits() {
        return hits.getAsLong();
    }

    double cacheMisses() {
        return misses.getAsLong();
    }

    double cacheSize() {
        return size.getAsInt();
    }
}
