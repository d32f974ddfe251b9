package foldstream.worker.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the worker is healthy (worth keeping alive) and ready (worth sending work to), with each
 * check named, for {@code GET /health} and {@code GET /ready} (docs/observability.md says which
 * Kubernetes probe uses which).
 *
 * <pre>{@code
 * WorkerHealth health = new WorkerHealth(HealthSettings.DEFAULTS, worker::state, metrics, failures);
 * health.watching(watch);
 * WorkerHealth.Report report = health.health();   // report.up(): 200, else 503
 * }</pre>
 *
 * <p>Health checks: {@code streams} (Kafka Streams not in ERROR or stopped), {@code stream-threads}
 * (no stream thread died without decisions since), {@code partitions} (no partition with commands
 * waiting, or one being decided, has decided nothing for the stall timeout), {@code broker} and
 * {@code registry} (each answered within the unreachable timeout).
 */
public final class WorkerHealth {

    /** A check's verdict. */
    public enum State { UP, DOWN }

    /** One named check: what it looked at and what it found. */
    public record Check(String name, State state, String detail) {
    }

    /** All checks; DOWN when any is. */
    public record Report(State status, List<Check> checks) {
        public boolean up() {
            return status == State.UP;
        }

        static Report of(List<Check> checks) {
            return new Report(checks.stream().allMatch(c -> c.state() == State.UP) ? State.UP : State.DOWN, List.copyOf(checks));
        }
    }

    private final HealthSettings settings;
    private final Supplier<KafkaStreams.State> streams;
    private final WorkerMetrics metrics;
    private final StreamThreadFailures failures;
    private volatile ClusterWatch watch;
    private volatile boolean everRunning;
    private volatile Supplier<List<StreamsApplicationWatch.View>> applications = List::of;
    private volatile boolean aggregates = true;

    /** Without a broker and registry watch until {@link #watching} gives one (those checks pass until then). */
    public WorkerHealth(HealthSettings settings, Supplier<KafkaStreams.State> streams, WorkerMetrics metrics,
                        StreamThreadFailures failures) {
        this.settings = settings;
        this.streams = streams;
        this.metrics = metrics;
        this.failures = failures;
    }

    /** The watch the broker and registry checks read from now on. */
    public void watching(ClusterWatch watch) {
        this.watch = watch;
    }

    /**
     * The worker's other Kafka Streams applications (process managers, embedded projections): each is
     * one more health and readiness check. @param runsAggregates false for a worker of no aggregate
     * types, whose checks are then only those of these applications (and the broker and registry)
     */
    public void alsoWatching(Supplier<List<StreamsApplicationWatch.View>> applications, boolean runsAggregates) {
        this.applications = applications;
        this.aggregates = runsAggregates;
    }

    /** Kafka Streams' state listener reports here too: readiness needs to know whether the first assignment is done. */
    public void stateChanged(KafkaStreams.State now) {
        if (now == KafkaStreams.State.RUNNING) {
            everRunning = true;
        }
    }

    public HealthSettings settings() {
        return settings;
    }

    public Report health() {
        List<Check> checks = new ArrayList<>();
        if (aggregates) {
            KafkaStreams.State state = streams.get();
            boolean failed = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING;
            checks.add(new Check("streams", failed ? State.DOWN : State.UP, "Kafka Streams is " + state));
            checks.add(threads());
            checks.add(partitions());
        }
        applications.get().forEach(application -> checks.add(application.health()));
        long limit = settings.unreachableTimeout().toMillis();
        ClusterWatch watch = this.watch;
        if (watch == null) {
            checks.add(new Check("broker", State.UP, "not watched"));
            checks.add(new Check("registry", State.UP, "not watched"));
        } else {
            checks.add(reachable("broker", watch.brokerSilentMillis(), limit, watch.brokerProblem()));
            checks.add(reachable("registry", watch.registrySilentMillis(), limit, watch.registryProblem()));
        }
        return Report.of(checks);
    }

    private Check threads() {
        long lastFailure = failures.lastAt();
        if (lastFailure == 0) {
            return new Check("stream-threads", State.UP, "no stream thread has died");
        }
        long lastProgress = metrics.partitions().stream()
                .mapToLong(p -> metrics.now() - p.sinceProgressMillis()).max().orElse(0);
        long ago = metrics.now() - lastFailure;
        String what = failures.count() + " stream thread(s) died, the last " + ago / 1000 + " s ago: " + failures.lastError();
        // A replaced thread that decides commands again is fine; one that keeps dying with nothing decided is not.
        boolean recovering = lastProgress > lastFailure || ago > settings.stallTimeout().toMillis();
        return new Check("stream-threads", recovering ? State.UP : State.DOWN,
                recovering ? what + "; replaced, and processing went on" : what + "; nothing decided since");
    }

    private Check partitions() {
        long limit = settings.stallTimeout().toMillis();
        List<String> stalled = new ArrayList<>();
        int owned = 0;
        for (PartitionActivity p : metrics.partitions()) {
            if (!p.ownedWithin(limit)) {
                continue;
            }
            owned++;
            long idle = p.stalledMillis();
            long inFlight = p.inFlightMillis();
            if (inFlight > limit) {
                stalled.add(p.key() + ": one command has been in progress for " + inFlight / 1000 + " s");
            } else if (idle > limit) {
                stalled.add(p.key() + ": " + p.waiting() + " command(s) waiting, nothing decided for " + idle / 1000 + " s");
            }
        }
        if (stalled.isEmpty()) {
            return new Check("partitions", State.UP, owned + " partition(s) on this instance, none stalled for "
                    + limit / 1000.0 + " s");
        }
        return new Check("partitions", State.DOWN, "stalled: " + String.join("; ", stalled));
    }

    private static Check reachable(String name, long silent, long limit, String problem) {
        if (silent <= limit) {
            return new Check(name, State.UP, "answered " + silent / 1000 + " s ago");
        }
        return new Check(name, State.DOWN, "no answer for " + silent / 1000 + " s" + (problem.isEmpty() ? "" : ": " + problem));
    }

    /**
     * Ready while running, and during a rebalance in which this instance keeps tasks; not while
     * starting, restoring its first assignment, or shutting down. The same for each of the worker's
     * other applications ({@link #alsoWatching}): ready only when all are.
     */
    public Report readiness() {
        List<Check> checks = new ArrayList<>();
        if (aggregates) {
            KafkaStreams.State state = streams.get();
            boolean keepsTasks = metrics.partitions().stream().anyMatch(PartitionActivity::owned);
            boolean ready = state == KafkaStreams.State.RUNNING
                    || (state == KafkaStreams.State.REBALANCING && everRunning && keepsTasks);
            checks.add(new Check("streams", ready ? State.UP : State.DOWN, describe(state, everRunning, keepsTasks)));
        }
        applications.get().forEach(application -> checks.add(application.readiness()));
        return Report.of(checks);
    }

    /** What readiness says of an application in {@code state}. */
    static String describe(KafkaStreams.State state, boolean everRunning, boolean keepsTasks) {
        return switch (state) {
            case RUNNING -> "running";
            case REBALANCING -> !everRunning ? "starting: the first assignment is not restored yet"
                    : keepsTasks ? "rebalancing, keeping its tasks" : "rebalancing, with no task";
            case CREATED -> "starting";
            default -> "Kafka Streams is " + state;
        };
    }
}
