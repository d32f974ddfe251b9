package foldstream.worker.observe;

import foldstream.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The worker's own meters, on a registry the worker owns and passes down (no global registry): per
 * aggregate type the commands answered by outcome, events written, DLQ'd records, duplicates, and the
 * timings of decide, of processing one command and of command-to-result; per partition the activity
 * that the health checks read too ({@link PartitionActivity}). docs/observability.md lists every
 * meter by its Prometheus name.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * WorkerMetrics metrics = new WorkerMetrics(registry, System::currentTimeMillis);
 * Topology topology = FoldstreamTopology.build(types, codec, options, clock, metrics);
 * }</pre>
 */
public final class WorkerMetrics {

    private final MeterRegistry registry;
    private final LongSupplier wallClock;
    private final Tracing tracing;
    private final Map<String, TypeMeters> types = new ConcurrentHashMap<>();
    private final Map<PartitionActivity.Key, PartitionActivity> partitions = new ConcurrentHashMap<>();

    /**
     * @param registry where the meters go; the caller scrapes it (a {@code PrometheusMeterRegistry} for
     *     {@code GET /metrics})
     * @param wallClock epoch milliseconds, for the ages and idle times of partitions
     */
    public WorkerMetrics(MeterRegistry registry, LongSupplier wallClock) {
        this(registry, wallClock, Tracing.global());
    }

    /** @param tracing the spans the processors record ({@link Tracing#global()} unless a test gives its own) */
    public WorkerMetrics(MeterRegistry registry, LongSupplier wallClock, Tracing tracing) {
        this.registry = registry;
        this.wallClock = wallClock;
        this.tracing = tracing;
    }

    /** Meters that go nowhere (a registry with no backend), for topologies built without a worker. */
    public static WorkerMetrics none() {
        return new WorkerMetrics(new CompositeMeterRegistry(), System::currentTimeMillis, Tracing.off());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Tracing tracing() {
        return tracing;
    }

    long now() {
        return wallClock.getAsLong();
    }

    /** The meters of one aggregate type, made on first use. */
    public TypeMeters type(String type) {
        return types.computeIfAbsent(type, name -> new TypeMeters(registry, name));
    }

    /**
     * The activity of one partition of a type's commands, made on first use and kept: a task that is
     * closed and opened again on this instance (a stream thread replaced) goes on from where it was.
     */
    public PartitionActivity partition(String type, int partition) {
        return partitions.computeIfAbsent(new PartitionActivity.Key(type, partition), key -> {
            PartitionActivity activity = new PartitionActivity(key, wallClock);
            Tags tags = Tags.of("type", type, "partition", Integer.toString(partition));
            List<Meter> meters = new ArrayList<>();
            meters.add(Gauge.builder("foldstream.partition.commands.waiting", activity, PartitionActivity::waitingOrNaN)
                    .description("Commands on S-commands not yet committed as decided (end offset minus committed offset)")
                    .tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.partition.oldest.undecided.age", activity, a -> a.oldestUndecidedAgeMillis() / 1000.0)
                    .description("Age of the oldest command not yet decided (0 when none waits)")
                    .baseUnit("seconds").tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.partition.since.progress", activity, a -> a.sinceProgressMillis() / 1000.0)
                    .description("Time since this partition last decided a command, or since it was assigned")
                    .baseUnit("seconds").tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.partition.owned", activity, a -> a.owned() ? 1 : 0)
                    .description("1 while this instance runs the partition's task").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("foldstream.cache.hits", activity, PartitionActivity::cacheHits)
                    .description("Commands whose aggregate was found deserialized in the hot-aggregate cache").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("foldstream.cache.misses", activity, PartitionActivity::cacheMisses)
                    .description("Commands whose aggregate was read from the snapshot store").tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.cache.size", activity, PartitionActivity::cacheSize)
                    .description("Aggregates held in the hot-aggregate cache").tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.snapshots.estimated", activity, PartitionActivity::snapshots)
                    .description("Aggregates in the partition's snapshot store (RocksDB's estimate, taken every 10 s)").tags(tags).register(registry));
            meters.add(Gauge.builder("foldstream.answered.commands.estimated", activity, PartitionActivity::answered)
                    .description("Entries in the partition's answered-commands store (RocksDB's estimate, taken every 10 s)")
                    .tags(tags).register(registry));
            return activity;
        });
    }

    /** Every partition this instance has run since it started (owned or not any more). */
    public List<PartitionActivity> partitions() {
        return List.copyOf(partitions.values());
    }

    /**
     * One aggregate type's meters. Counters per outcome are made up front, so answering a command
     * is an array lookup and an add.
     */
    public static final class TypeMeters {
        private final Map<Outcome, Counter> commands = new EnumMap<>(Outcome.class);
        private final Counter events;
        private final Counter dlq;
        private final Counter duplicates;
        private final Counter rebuiltEvents;
        private final Timer decide;
        private final Timer process;
        private final Timer endToEnd;

        TypeMeters(MeterRegistry registry, String type) {
            for (Outcome outcome : Outcome.values()) {
                commands.put(outcome, Counter.builder("foldstream.commands")
                        .description("Commands answered, by outcome (one result on S-results each)")
                        .tags("type", type, "outcome", outcome.name()).register(registry));
            }
            events = Counter.builder("foldstream.events.written").description("Events written to S-events")
                    .tag("type", type).register(registry);
            dlq = Counter.builder("foldstream.dlq.records").description("Unreadable commands sent to S-dlq")
                    .tag("type", type).register(registry);
            duplicates = Counter.builder("foldstream.duplicates")
                    .description("Commands answered again from the answered-commands store (a command id seen before)")
                    .tag("type", type).register(registry);
            rebuiltEvents = Counter.builder("foldstream.rebuild.events.folded")
                    .description("Events folded while rebuilding snapshots (replay, or a pure event-sourcing restore)")
                    .tag("type", type).register(registry);
            decide = Timer.builder("foldstream.decide").description("decide and evolve of one command")
                    .tag("type", type).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
            process = Timer.builder("foldstream.command.process")
                    .description("Processing of one command record by the worker, from reading it to forwarding its outputs")
                    .tag("type", type).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
            endToEnd = Timer.builder("foldstream.command.end.to.end")
                    .description("From the command record's timestamp to its result being written (includes time spent waiting)")
                    .tag("type", type).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry);
        }

        /** A result was written with this outcome; {@code sinceCommandMillis} is now minus the command record's timestamp. */
        public void answered(Outcome outcome, long sinceCommandMillis) {
            commands.get(outcome).increment();
            endToEnd.record(Math.max(0, sinceCommandMillis), TimeUnit.MILLISECONDS);
        }

        public void eventsWritten(int count) {
            events.increment(count);
        }

        public void deadLettered() {
            dlq.increment();
        }

        public void duplicate() {
            duplicates.increment();
        }

        public void rebuilt(long eventsFolded) {
            rebuiltEvents.increment(eventsFolded);
        }

        public void decided(long nanos) {
            decide.record(nanos, TimeUnit.NANOSECONDS);
        }

        public void processed(long nanos) {
            process.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
