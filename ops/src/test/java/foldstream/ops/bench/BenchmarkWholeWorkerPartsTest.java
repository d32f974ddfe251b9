package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.bench.BenchSettings.Part;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's parts that measure a whole worker rather than one command's path run end to end on
 * a tiny input ({@link TinyBench}): restore, projections (PostgreSQL too), scale-out, many types and
 * transfers, with the contract's floor beside restore and many types. Every row is measured. The
 * benchmark starts its own broker here, as by default ({@link BenchmarkTest} uses the test JVM's
 * shared one, as {@code --bootstrap-servers} does a user's).
 */
class BenchmarkWholeWorkerPartsTest {

    @Test
    void restoreProjectionScaleTypesAndTransfersPartsRunOnATinyInput(@TempDir Path work) throws Exception {
        BenchReport report = TinyBench.run(Optional.empty(), work, EnumSet.of(Part.FLOOR, Part.RESTORE, Part.PROJECTION, Part.SCALE, Part.TYPES,
                Part.TRANSFERS), Map.of());

        assertThat(report.measurements()).extracting(Measurement::name)
                .contains("contract floor takeover, per 1,000,000 commands' state", "contract floor takeover with nothing to restore")
                .anyMatch(n -> n.startsWith("restore, EVENTS_ONLY"))
                .anyMatch(n -> n.equals("restore, EVENTS_ONLY: a fresh instance with nothing to restore"))
                .anyMatch(n -> n.startsWith("projection source: plain consumer"))
                .anyMatch(n -> n.startsWith("projection catch-up, embedded"))
                .anyMatch(n -> n.startsWith("projection catch-up time, embedded"))
                .anyMatch(n -> n.startsWith("projection catch-up, JDBC"))
                .anyMatch(n -> n.startsWith("projection catch-up time, JDBC"))
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
    }
}
