package foldstream.ops.bench;

import foldstream.worker.aggregate.StorageMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the benchmark runs.
 *
 * @param bootstrapServers a broker to use; empty: the benchmark starts its own on this machine
 * @param commands commands of the throughput runs (default 1,000,000)
 * @param aggregates aggregates they go to (default 100,000)
 * @param partitions partitions of every topic (default 6)
 * @param rate offered commands per second of the latency runs (default 2,000)
 * @param latencyDuration how long each latency run offers load (default 60 s)
 * @param repeats runs per measurement, for a median (default 3)
 * @param restoreEvents events' worth of state the restore runs rebuild (default 1,000,000)
 * @param modes storage modes whose restore is measured
 * @param json where the figures are written as JSON
 * @param workDir state directories of the workers the benchmark starts
 * @param parts which measurements to run (default all); the ratios need the ceilings
 * @param lowLatency the Kafka Streams settings of the low-latency runs, for bare and Foldstream alike
 *     (default {@link #LOW_LATENCY})
 * @param compare worker settings the throughput part also runs with, run for run alternating with
 *     the defaults, so that one run on a busy machine compares the two (default none)
 * @param projection what the projection part reads (default {@link ProjectionBenchSettings#DEFAULT})
 * @param latencyCurve the rates and step length of {@link Part#LATENCY_CURVE} (default {@link LatencyCurveSettings#DEFAULT})
 * @param failover what the {@code FAILOVER} part kills and compares (default {@link FailoverSettings#DEFAULTS})
 * @param scale what the scale-out and many-types parts run (default {@link ScaleSettings#DEFAULT})
 * @param transfers the size of the transfers part (default {@link TransferLoad#of}: from the throughput runs' sizes)
 * @param warmUp how long after a throughput run's first answer (the many-types and scale-out parts' too) its timed
 *     window begins ({@link WarmWindow}; default none: every answer counts)
 * @param classArchive whether the child JVMs start from a class archive ({@link ClassArchive}; default yes), as a
 *     worker started by {@code ops/foldstream worker} does
 */
public record BenchSettings(Optional<String> bootstrapServers, int commands, int aggregates, int partitions, int rate,
                            Duration latencyDuration, int repeats, int restoreEvents, List<StorageMode> modes, Path json,
                            Path workDir, Set<Part> parts, Map<String, String> lowLatency, Map<String, String> compare,
                            ProjectionBenchSettings projection,
                            LatencyCurveSettings latencyCurve,
                            FailoverSettings failover,
                            ScaleSettings scale,
                            TransferLoad transfers,
                            Duration warmUp,
                            boolean classArchive) {

    /** With the defaults of the projection, latency curve, failover, scale-out and many-types parts. */
    public BenchSettings(Optional<String> bootstrapServers, int commands, int aggregates, int partitions, int rate,
                         Duration latencyDuration, int repeats, int restoreEvents, List<StorageMode> modes, Path json,
                         Path workDir, Set<Part> parts, Map<String, String> lowLatency, Map<String, String> compare) {
        this(bootstrapServers, commands, aggregates, partitions, rate, latencyDuration, repeats, restoreEvents, modes, json,
                workDir, parts, lowLatency, compare, ProjectionBenchSettings.DEFAULT, LatencyCurveSettings.DEFAULT,
                FailoverSettings.DEFAULTS, ScaleSettings.DEFAULT, TransferLoad.of(0, 0, commands, aggregates), Duration.ZERO, true);
    }

    /** Without a comparison. */
    public BenchSettings(Optional<String> bootstrapServers, int commands, int aggregates, int partitions, int rate,
                         Duration latencyDuration, int repeats, int restoreEvents, List<StorageMode> modes, Path json,
                         Path workDir, Set<Part> parts, Map<String, String> lowLatency) {
        this(bootstrapServers, commands, aggregates, partitions, rate, latencyDuration, repeats, restoreEvents, modes, json,
                workDir, parts, lowLatency, Map.of());
    }

    /**
     * Where a run's numbering of its stream names (type name + number: topics, groups, state
     * directories) starts: 0 on the broker the benchmark starts itself; on a user's broker, which may
     * hold an earlier run's topics and groups, at a number of its own.
     */
    int firstRunNumber() {
        return bootstrapServers.isEmpty() ? 0 : 1_000 * ThreadLocalRandom.current().nextInt(1, 1_000_000);
    }

    /** The lowest p99 found under {@code exactly_once_v2} on this machine (docs/performance.md). */
    public static final Map<String, String> LOW_LATENCY = Map.of("commit.interval.ms", "10", "producer.linger.ms", "0");

    /** The measurements, in the order they run. */
    public enum Part {
        PRODUCER(true), BARE(true),
        /** The contract's records alone on Kafka Streams ({@link ContractFloorProcessor}), with three kinds of idempotency window: a diagnosis. */
        FLOOR(false),
        THROUGHPUT(true), SKEW(true), LATENCY(true), RESTORE(true),
        PROJECTION(false), LATENCY_CURVE(false), FAILOVER(false),
        SCALE(false), TYPES(false),
        /** Transfers completed per second end to end ({@link TransfersBench}): about a minute, so by default. */
        TRANSFERS(true);

        private final boolean byDefault;

        Part(boolean byDefault) {
            this.byDefault = byDefault;
        }

        /** The parts a plain {@code bench} runs: all but those that take many minutes each (projection
         * catch-up of a million events, a dozen latency steps, three workers killed per setting,
         * worker JVMs added one by one, twenty types). */
        public static Set<Part> byDefault() {
            Set<Part> parts = java.util.EnumSet.noneOf(Part.class);
            for (Part part : values()) {
                if (part.byDefault) {
                    parts.add(part);
                }
            }
            return parts;
        }
    }


    public BenchSettings {
        if (commands < 1 || aggregates < 1 || aggregates > commands) {
            throw new IllegalArgumentException("--commands must be at least --aggregates, and both positive");
        }
        if (partitions < 1 || rate < 1 || repeats < 1 || restoreEvents < 1) {
            throw new IllegalArgumentException("--partitions, --rate, --repeats and --restore-events must be positive");
        }
        lowLatency = Map.copyOf(lowLatency);
        compare = Map.copyOf(compare);
        java.util.Objects.requireNonNull(projection, "projection");
        java.util.Objects.requireNonNull(transfers, "transfers");
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("--warm-up cannot be negative");
        }
    }

    /** The class archive of this run's child JVMs: in the work directory, or none. */
    ClassArchive childArchive() {
        return classArchive ? ClassArchive.in(workDir) : ClassArchive.none();
    }
}
