package foldstream.ops.bench;

import foldstream.worker.aggregate.StorageMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The benchmark on a tiny input, for the tests that check each part works end to end: 600 commands
 * over 60 aggregates, 2 partitions, one run each. The parts are split between two test classes so
 * that the build's two test JVMs run them side by side; one uses its test JVM's shared broker, the
 * other lets the benchmark start its own (its default), so both ways are run.
 */
final class TinyBench {

    private TinyBench() {
    }

    static BenchReport run(Optional<String> bootstrapServers, Path work, Set<BenchSettings.Part> parts, Map<String, String> compare) throws Exception {
        BenchSettings settings = new BenchSettings(bootstrapServers, 600, 60, 2, 100, Duration.ofSeconds(3), 1,
                400, List.of(StorageMode.EVENTS_ONLY), work.resolve("bench.json"), work, parts, BenchSettings.LOW_LATENCY,
                compare, new ProjectionBenchSettings(300),
                new LatencyCurveSettings(List.of(50, 100), Duration.ofSeconds(1)),
                FailoverSettings.DEFAULTS, new ScaleSettings(List.of(1, 2), List.of(2), 2), TransferLoad.of(0, 0, 600, 60),
                Duration.ZERO, true);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        return new Benchmark(settings, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
    }
}
