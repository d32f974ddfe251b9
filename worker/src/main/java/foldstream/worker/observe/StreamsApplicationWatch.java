package foldstream.worker.observe;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A Kafka Streams application a worker runs beside its aggregates' (a process manager's, an embedded
 * projection's), as {@code /health} and {@code /ready} see it. Its owner calls {@link #stateChanged}
 * from the application's state listener and {@link #threadFailed} from its uncaught-exception handler;
 * {@link WorkerHealth} reads a {@link View} per application at each probe.
 *
 * <pre>{@code
 * StreamsApplicationWatch watch = new StreamsApplicationWatch("process transfer", streams::state, () -> keepsTasks(streams),
 *         System::currentTimeMillis);
 * streams.setStateListener((now, before) -> watch.stateChanged(now));
 * streams.setUncaughtExceptionHandler(error -> { watch.threadFailed(error); return REPLACE_THREAD; });
 * health.alsoWatching(() -> List.of(watch.view()), true);
 * }</pre>
 */
public final class StreamsApplicationWatch {

    private static final Set<KafkaStreams.State> FAILED = EnumSet.of(
            KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING);

    /**
     * One application at one moment.
     *
     * @param name what it is, for the checks: {@code process transfer}, {@code projection balances}
     * @param everRunning whether it reached {@code RUNNING} once (its first assignment is restored)
     * @param keepsTasks whether its threads hold active tasks now (meaningful while rebalancing)
     * @param deadThread empty, or the error of a stream thread that died after the application last reached {@code RUNNING}
     */
    public record View(String name, KafkaStreams.State state, boolean everRunning, boolean keepsTasks, String deadThread) {

        /** Healthy unless failed, stopped, or a thread of it died and it has not run since. */
        public WorkerHealth.Check health() {
            if (FAILED.contains(state)) {
                return new WorkerHealth.Check(name, WorkerHealth.State.DOWN, "Kafka Streams is " + state);
            }
            if (!deadThread.isEmpty()) {
                return new WorkerHealth.Check(name, WorkerHealth.State.DOWN, "a stream thread died and the application has not "
                        + "run since: " + deadThread);
            }
            return new WorkerHealth.Check(name, WorkerHealth.State.UP, "Kafka Streams is " + state);
        }

        /** The aggregates' rule: ready while running, and during a rebalance in which it keeps tasks after its first assignment. */
        public WorkerHealth.Check readiness() {
            boolean ready = state == KafkaStreams.State.RUNNING
                    || (state == KafkaStreams.State.REBALANCING && everRunning && keepsTasks);
            return new WorkerHealth.Check(name, ready ? WorkerHealth.State.UP : WorkerHealth.State.DOWN,
                    WorkerHealth.describe(state, everRunning, keepsTasks));
        }
    }

    private final String name;
    private final Supplier<KafkaStreams.State> state;
    private final Supplier<Boolean> keepsTasks;
    private final LongSupplier wallClock;
    private volatile boolean everRunning;
    private volatile long runningAt;
    private volatile long failedAt;
    private volatile String lastError = "";

    /**
     * @param state the application's state ({@code streams::state})
     * @param keepsTasks whether its threads hold active tasks ({@link #keepsTasks(KafkaStreams)})
     */
    public StreamsApplicationWatch(String name, Supplier<KafkaStreams.State> state, Supplier<Boolean> keepsTasks, LongSupplier wallClock) {
        this.name = name;
        this.state = state;
        this.keepsTasks = keepsTasks;
        this.wallClock = wallClock;
    }

    /** A watch of {@code streams} on the wall clock. */
    public static StreamsApplicationWatch of(String name, KafkaStreams streams) {
        return new StreamsApplicationWatch(name, streams::state, () -> keepsTasks(streams), System::currentTimeMillis);
    }

    /** From the application's state listener. */
    public void stateChanged(KafkaStreams.State now) {
        if (now == KafkaStreams.State.RUNNING) {
            everRunning = true;
            runningAt = wallClock.getAsLong();
        }
    }

    /** From the application's uncaught-exception handler. */
    public void threadFailed(Throwable error) {
        failedAt = wallClock.getAsLong();
        lastError = error.toString();
    }

    public View view() {
        KafkaStreams.State now = state.get();
        boolean rebalancing = now == KafkaStreams.State.REBALANCING;
        // A replaced thread rejoins through a rebalance; reaching RUNNING after the failure is the sign it works again.
        String dead = failedAt != 0 && failedAt >= runningAt ? lastError : "";
        return new View(name, now, everRunning, rebalancing && keepsTasks.get(), dead);
    }

    /** Whether any thread of a started application holds an active task. */
    public static boolean keepsTasks(KafkaStreams streams) {
        try {
            return streams.metadataForLocalThreads().stream().anyMatch(thread -> !thread.activeTasks().isEmpty());
        } catch (RuntimeException notRunning) {
            return false;
        }
    }

    /**
     * The state of several applications taken as one, for a worker that runs only these: the worst of
     * them ({@code ERROR} over stopping over starting), {@code RUNNING} only when all are.
     */
    public static KafkaStreams.State combined(List<KafkaStreams.State> states) {
        List<KafkaStreams.State> worstFirst = List.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR,
                KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.CREATED,
                KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);
        for (KafkaStreams.State candidate : worstFirst) {
            if (states.contains(candidate)) {
                return candidate;
            }
        }
        return KafkaStreams.State.RUNNING;
    }
}
