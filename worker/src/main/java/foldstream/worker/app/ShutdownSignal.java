package foldstream.worker.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM or Ctrl-C into a request that the main thread acts on: the main thread waits in
 * {@link #awaitRequest}, stops what it runs, and reports its exit status with {@link #finished}.
 * The JVM then ends with that status, not the 143 or 130 a signal would give, so a clean stop on
 * SIGTERM exits 0; if the main thread does not finish within the grace period, the exit status is 1.
 *
 * <pre>{@code
 * try (ShutdownSignal signal = ShutdownSignal.install(Duration.ofSeconds(30))) {
 *     worker.start();
 *     signal.awaitRequest();
 *     int status = worker.close(Duration.ofSeconds(20)) ? 0 : 1;
 *     signal.finished(status);
 *     return status;
 * }
 * }</pre>
 */
public final class ShutdownSignal implements AutoCloseable {

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Duration grace;
    private final Thread hook;
    private volatile int exitStatus = 1;

    private ShutdownSignal(Duration grace) {
        this.grace = grace;
        this.hook = new Thread(this::onShutdown, "foldstream-shutdown");
    }

    /** Installs the JVM shutdown hook; {@code grace} bounds how long a signal waits for the main thread. */
    public static ShutdownSignal install(Duration grace) {
        ShutdownSignal signal = new ShutdownSignal(grace);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** Asks the main thread to stop, as a signal would; for failures detected in-process. */
    public void request() {
        requested.countDown();
    }

    /** Blocks until stopping is requested. */
    public void awaitRequest() throws InterruptedException {
        requested.await();
    }

    /** Waits up to {@code timeout} for a stop request; true when one came. */
    public boolean awaitRequest(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The main thread has stopped everything; a pending signal ends the JVM with {@code status}. */
    public void finished(int status) {
        exitStatus = status;
        finished.countDown();
    }

    private void onShutdown() {
        requested.countDown();
        boolean done;
        try {
            done = finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            done = false;
        }
        System.out.flush();
        System.err.flush();
        // halt, not exit: the JVM is already shutting down, and exit would block forever.
        Runtime.getRuntime().halt(done ? exitStatus : 1);
    }

    /** Removes the hook when the program ends on its own; harmless while the JVM shuts down. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running and ends the JVM with the reported status.
        }
    }
}
