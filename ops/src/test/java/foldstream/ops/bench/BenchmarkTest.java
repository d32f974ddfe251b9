package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.bench.BenchSettings.Part;
import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.SharedKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's command-path parts run end to end on a tiny input ({@link TinyBench}): every part
 * produces its row, the JSON file and the HTML report with its SVG charts. The restore, projection,
 * scale-out, many-types and transfers parts are {@link BenchmarkWholeWorkerPartsTest}'s.
 * It checks that the tool works, not how fast anything is: figures come from real runs, in docs/performance.md.
 */
@ExtendWith(SharedKafkaBroker.class)
class BenchmarkTest {

    @Test
    void everyCommandPathPartRunsOnATinyInputAndWritesTheTableJsonAndCharts(KafkaBroker broker, @TempDir Path work) throws Exception {
        BenchReport report = TinyBench.run(Optional.of(broker.bootstrapServers()), work, EnumSet.of(Part.PRODUCER, Part.BARE, Part.FLOOR, Part.THROUGHPUT, Part.SKEW,
                Part.LATENCY, Part.LATENCY_CURVE), Map.of("enable.transactional.statestores", "false"));

        assertThat(report.measurements()).extracting(Measurement::name)
                .contains("class archive: the training worker's start (the run's first worker, no archive)")
                .anyMatch(n -> n.startsWith("producer ceiling"))
                .anyMatch(n -> n.startsWith("bare processor ceiling")).anyMatch(n -> n.startsWith("foldstream throughput ("))
                .anyMatch(n -> n.startsWith("foldstream worker peak resident memory"))
                .contains("contract floor, the state alone, one read and one write",
                        "contract floor, the state alone, one read and one write, CPU per 1,000 commands",
                        "contract floor, answered commands under keys of their own in the state's store",
                        "contract floor, answered commands in a store of their own, as Foldstream")
                .contains("bare processor CPU per 1,000 records", "foldstream CPU per 1,000 commands",
                        "foldstream with {enable.transactional.statestores=false} CPU per 1,000 commands")
                .anyMatch(n -> n.startsWith("foldstream throughput, 80 %"))
                .anyMatch(n -> n.equals("foldstream throughput with {enable.transactional.statestores=false}"))
                .anyMatch(n -> n.startsWith("bare latency p99")).anyMatch(n -> n.startsWith("foldstream latency p99"))
                .anyMatch(n -> n.equals("bare latency curve, low-latency: highest offered rate held"))
                .anyMatch(n -> n.equals("foldstream latency curve, default commit interval: highest offered rate held"))
                .anyMatch(n -> n.equals("contract floor latency curve, low-latency: highest offered rate held"));
        assertThat(report.measurements()).allSatisfy(m -> assertThat(m.median()).as(m.name() + ": " + m.note()).isPositive());

        Path json = work.resolve("bench.json");
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
