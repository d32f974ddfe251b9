package foldstream.worker.observe;

import java.util.function.LongSupplier;

/**
 * The stream threads that died on this instance (Kafka Streams' uncaught-exception handler reports
 * each): how many, the last one's error and when. The worker replaces a dead thread; the health
 * check says whether the replacements get anywhere.
 */
public final class StreamThreadFailures {

    private final LongSupplier wallClock;
    private volatile long count;
    private volatile long lastAt;
    private volatile String lastError = "";

    public StreamThreadFailures(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    /** Called from the uncaught-exception handler. */
    public synchronized void failed(Throwable error) {
        count++;
        lastAt = wallClock.getAsLong();
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastError = root == error ? error.toString() : error + " (caused by " + root + ")";
    }

    public long count() {
        return count;
    }

    /** Epoch ms of the last failure, 0 when none. */
    public long lastAt() {
        return lastAt;
    }

    public String lastError() {
        return lastError;
    }
}
