package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.SharedKafkaBroker;
import foldstream.worker.aggregate.StorageMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark runs end to end on a tiny input: every part produces its row, the JSON file and the
 * HTML report with its SVG charts.
 * It checks that the tool works, not how fast anything is: figures come from real runs, in the README.
 */
@ExtendWith(SharedKafkaBroker.class)
class BenchmarkTest {

    @Test
    void everyPartRunsOnATinyInputAndWritesTheTableAndJson(KafkaBroker broker, @TempDir Path work) throws Exception {
        Path json = work.resolve("bench.json");
        BenchSettings settings = new BenchSettings(Optional.of(broker.bootstrapServers()), 600, 60, 2, 100, Duration.ofSeconds(3), 1,
                400, List.of(StorageMode.EVENTS_ONLY), json, work, EnumSet.complementOf(EnumSet.of(BenchSettings.Part.FAILOVER)), BenchSettings.LOW_LATENCY,
                java.util.Map.of("enable.transactional.statestores", "false"), new ProjectionBenchSettings(300),
                new LatencyCurveSettings(List.of(50, 100), Duration.ofSeconds(1)),
                FailoverSettings.DEFAULTS, new ScaleSettings(List.of(1, 2), List.of(2), 2), TransferLoad.of(0, 0, 600, 60),
                Duration.ZERO, true);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        BenchReport report = new Benchmark(settings, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        assertThat(report.measurements()).extracting(Measurement::name)
                .contains("class archive: the training worker's start (the run's first worker, no archive)")
                .anyMatch(n -> n.startsWith("producer ceiling"))
                .anyMatch(n -> n.startsWith("bare processor ceiling")).anyMatch(n -> n.startsWith("foldstream throughput ("))
                .anyMatch(n -> n.startsWith("foldstream worker peak resident memory"))
                .contains("contract floor, the state alone, one read and one write",
                        "contract floor, the state alone, one read and one write, CPU per 1,000 commands",
                        "contract floor, answered commands under keys of their own in the state's store",
                        "contract floor, answered commands in a store of their own, as Foldstream",
                        "contract floor takeover, per 1,000,000 commands' state", "contract floor takeover with nothing to restore")
                .contains("bare processor CPU per 1,000 records", "foldstream CPU per 1,000 commands",
                        "foldstream with {enable.transactional.statestores=false} CPU per 1,000 commands")
                .anyMatch(n -> n.startsWith("foldstream throughput, 80 %"))
                .anyMatch(n -> n.equals("foldstream throughput with {enable.transactional.statestores=false}"))
                .anyMatch(n -> n.startsWith("bare latency p99")).anyMatch(n -> n.startsWith("foldstream latency p99"))
                .anyMatch(n -> n.startsWith("restore, EVENTS_ONLY"))
                .anyMatch(n -> n.equals("restore, EVENTS_ONLY: a fresh instance with nothing to restore"))
                .anyMatch(n -> n.startsWith("projection source: plain consumer"))
                .anyMatch(n -> n.startsWith("projection catch-up, embedded"))
                .anyMatch(n -> n.startsWith("projection catch-up time, embedded"))
                .anyMatch(n -> n.startsWith("projection catch-up, JDBC"))
                .anyMatch(n -> n.startsWith("projection catch-up time, JDBC"))
                .anyMatch(n -> n.equals("bare latency curve, low-latency: highest offered rate held"))
                .anyMatch(n -> n.equals("foldstream latency curve, default commit interval: highest offered rate held"))
                .anyMatch(n -> n.equals("contract floor latency curve, low-latency: highest offered rate held"))
                .contains(ScaleOutBench.name(1, 2), ScaleOutBench.name(2, 2), TypesBench.throughputName(1), TypesBench.throughputName(2),
                        TypesBench.startUpName(1), TypesBench.startUpName(2), TypesBench.cpuName(1), TypesBench.cpuName(2),
                        TypesBench.benchCpuName(1), TypesBench.benchCpuName(2), TypesBench.throughputName("contract floor", 2))
                .anyMatch(n -> n.startsWith("transfers completed end to end"));

        // Every row measured (PostgreSQL too: an unavailable row has no runs and fails here).
        assertThat(report.measurements()).allSatisfy(m -> assertThat(m.median()).as(m.name() + ": " + m.note()).isPositive());
        assertThat(report.measurements()).filteredOn(m -> m.name().equals(ScaleOutBench.name(2, 2))).singleElement()
                .satisfies(m -> assertThat(m.details()).containsEntry("workers", 2.0).containsEntry("partitions", 2.0)
                        .containsKey("ratio to 1 worker"));
        assertThat(report.measurements()).filteredOn(m -> m.name().equals(TypesBench.throughputName(2))).singleElement()
                .satisfies(m -> assertThat(m.details()).containsEntry("types", 2.0).containsKey("ratio to 1 type"));
        assertThat(report.measurements()).filteredOn(m -> m.name().startsWith("transfers completed"))
                .singleElement().satisfies(m -> assertThat(m.note()).contains("money conserved in every run"));
        report.writeJson(json);
        assertThat(Files.readString(json)).contains("\"measurements\"").contains("foldstream throughput");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        report.printTable(new PrintStream(table, true, StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("| measure").contains("commands/s").contains("p99.9");

        Path page = report.writeHtml(json);
        Path charts = work.resolve("bench-report");
        assertThat(page).isEqualTo(charts.resolve("report.html"));
        for (String chart : List.of("latency-over-time-low-latency", "latency-distribution-default-commit-interval", "throughput",
                "latency-vs-load")) {
            Path svg = charts.resolve(chart + ".svg");
            assertThat(svg).as(chart).isNotEmptyFile();
            assertThat(Files.readString(svg)).as(chart).contains("<svg");
            assertThat(Files.readString(page)).contains("<img src=\"" + chart + ".svg\"");
        }
        assertThat(Files.readString(json)).contains("\"series\": [{\"chart\": \"latency-vs-load\"");
    }
}
