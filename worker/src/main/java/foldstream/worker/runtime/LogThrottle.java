package foldstream.worker.runtime;

import java.time.Duration;

/**
 * Lets a repeated log line through at most once per interval, so that a failure that lasts (a
 * registry or broker away) is reported without flooding the log. Thread-safe.
 *
 * <pre>{@code
 * private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(30));
 * if (throttle.allow()) {
 *     LOG.warn("still waiting: {}", reason);
 * }
 * }</pre>
 */
public final class LogThrottle {

    private final long intervalNanos;
    private boolean logged;
    private long lastLogged;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** True for the first call, and then once an interval has passed since the last true. */
    public synchronized boolean allow() {
        long now = System.nanoTime();
        if (logged && now - lastLogged < intervalNanos) {
            return false;
        }
        logged = true;
        lastLogged = now;
        return true;
    }

    /** The next {@link #allow()} is true again (the failure ended). */
    public synchronized void reset() {
        logged = false;
    }
}
