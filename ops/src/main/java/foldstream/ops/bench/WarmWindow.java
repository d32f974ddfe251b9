package foldstream.ops.bench;

import java.time.Duration;

/**
 * The timed part of a throughput run: the answers that arrive once {@code warmUp} has passed since
 * the first one. Each run starts a fresh JVM, and on this 2-core machine its JIT compiler takes
 * about a core for the first 9 s of a run (docs/performance.md): a warm-up leaves that out, so the
 * figure is what a worker that has run for a while does. Without one every answer counts, from the
 * first to the last, as before.
 *
 * <p>The window opens with the first batch of answers that arrives at or after the warm-up; its
 * arrival is the window's start, and every answer of that batch but one, and of the batches after,
 * is timed.
 *
 * <pre>{@code
 * WarmWindow window = new WarmWindow(Duration.ofSeconds(10));
 * // with each poll's answers (or each answer), seen so far in all:
 * if (window.arrived(System.nanoTime(), seen)) { cpuAtStart = child.cpuSeconds(); }
 * double perSecond = window.perSecond();
 * }</pre>
 */
final class WarmWindow {

    private final Duration warmUp;
    private long firstNanos = -1;
    private long startNanos = -1;
    private int seenBeforeStart;
    private long lastNanos;
    private int seen;

    WarmWindow(Duration warmUp) {
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("a warm-up cannot be negative, was " + warmUp);
        }
        this.warmUp = warmUp;
    }

    /**
     * Answers have arrived at {@code nanos}, {@code seenNow} in all so far.
     *
     * @return true when they open the timed window (the caller reads what it measures there)
     */
    boolean arrived(long nanos, int seenNow) {
        if (firstNanos < 0) {
            firstNanos = nanos;
        }
        boolean opens = startNanos < 0 && nanos - firstNanos >= warmUp.toNanos();
        if (opens) {
            startNanos = nanos;
            seenBeforeStart = seen;
        }
        lastNanos = nanos;
        seen = seenNow;
        return opens;
    }

    /** Answers timed: those after the window's first. */
    int timed() {
        return startNanos < 0 ? 0 : seen - seenBeforeStart - 1;
    }

    /** Timed answers per second; 0 when they all arrived at once. */
    double perSecond() {
        if (startNanos < 0) {
            throw new IllegalStateException("every answer arrived within the warm-up of " + warmUp.toSeconds()
                    + " s; run more commands (--commands) or a shorter --warm-up");
        }
        return lastNanos == startNanos ? 0 : timed() / ((lastNanos - startNanos) / 1e9);
    }
}
