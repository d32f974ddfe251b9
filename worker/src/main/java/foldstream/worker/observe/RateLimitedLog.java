package foldstream.worker.observe;

import java.util.function.LongSupplier;

/**
 * Lets through at most {@code burst} warnings of one kind per window and counts the rest, so a flood
 * (a producer writing garbage to {@code S-commands}) cannot drown the log; the next line let through
 * says how many were suppressed. One per kind of warning; thread-safe. With a burst of 1 it reports
 * a lasting failure (a registry or broker away) once per window, and {@link #reset} re-arms it when
 * the failure ends.
 *
 * <pre>{@code
 * long suppressed = malformedWarnings.admit();
 * if (suppressed >= 0) {
 *     LOG.warn("MALFORMED command ...{}", RateLimitedLog.suffix(suppressed));
 * }
 * }</pre>
 */
public final class RateLimitedLog {

    private final int burst;
    private final long windowMillis;
    private final LongSupplier wallClock;
    private long windowStart;
    private int admitted;
    private long suppressed;

    public RateLimitedLog(int burst, long windowMillis, LongSupplier wallClock) {
        this.burst = burst;
        this.windowMillis = windowMillis;
        this.wallClock = wallClock;
        this.windowStart = Long.MIN_VALUE / 2;
    }

    /**
     * @return -1 when this warning is to be suppressed; else how many were suppressed since the last
     *     one let through (to say so in this one)
     */
    public synchronized long admit() {
        long now = wallClock.getAsLong();
        if (now - windowStart >= windowMillis) {
            windowStart = now;
            admitted = 0;
        }
        if (admitted >= burst) {
            suppressed++;
            return -1;
        }
        admitted++;
        long before = suppressed;
        suppressed = 0;
        return before;
    }

    /** The failure ended: the next warning is let through at once, as a new one. */
    public synchronized void reset() {
        windowStart = Long.MIN_VALUE / 2;
        admitted = 0;
        suppressed = 0;
    }

    /** {@code " (12 similar warnings suppressed)"}, or nothing when none were. */
    public static String suffix(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar warnings suppressed)" : "";
    }
}
