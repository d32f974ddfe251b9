package foldstream.worker.app;

import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a worker's start goes: each phase of {@code FoldstreamWorker.start} is logged (at DEBUG) with
 * the milliseconds since the JVM started, and the first {@code RUNNING} once at INFO, so an operator
 * reads how long a fresh instance took before it could process anything (docs/performance.md,
 * start-up). The JVM's start is its own record ({@link RuntimeMXBean#getStartTime()}: the start of
 * the virtual machine's creation, on the clock of {@link System#currentTimeMillis()}), which misses
 * only the launcher's few milliseconds before it. Not the operating system's record of the process
 * ({@link ProcessHandle.Info#startInstant()}): on Linux that adds the process's age to the boot time
 * of {@code /proc/stat}, which is in whole seconds, so every start read up to a second long, by the
 * same amount on one machine until it boots again.
 *
 * <pre>{@code
 * StartTimeline timeline = StartTimeline.ofThisJvm(applicationId);
 * timeline.mark("schemas and topics checked");
 * timeline.running();   // from the state listener; logs only the first time
 * }</pre>
 */
final class StartTimeline {

    private static final Logger LOG = LoggerFactory.getLogger(StartTimeline.class);

    private final String applicationId;
    private final long originMillis;
    private final LongSupplier nowMillis;
    // The state listener runs on Kafka Streams' threads, any of which may report RUNNING first.
    private final AtomicBoolean ran = new AtomicBoolean();

    StartTimeline(String applicationId, long originMillis, LongSupplier nowMillis) {
        this.applicationId = applicationId;
        this.originMillis = originMillis;
        this.nowMillis = nowMillis;
    }

    /** Counts from this JVM's start. */
    static StartTimeline ofThisJvm(String applicationId) {
        return new StartTimeline(applicationId, ManagementFactory.getRuntimeMXBean().getStartTime(), System::currentTimeMillis);
    }

    /** Milliseconds since the JVM started. */
    long elapsedMillis() {
        return nowMillis.getAsLong() - originMillis;
    }

    /** A phase of the start has ended. */
    void mark(String phase) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("worker {} start: {} at {} ms after the JVM's start", applicationId, phase, elapsedMillis());
        }
    }

    /** The worker is running for the first time: once, at INFO. */
    void running() {
        if (ran.compareAndSet(false, true)) {
            LOG.info("worker {}: running {} ms after the JVM's start", applicationId, elapsedMillis());
        }
    }
}
