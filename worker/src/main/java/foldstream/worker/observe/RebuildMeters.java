package foldstream.worker.observe;

import foldstream.worker.runtime.RebuildBoard;
import foldstream.worker.runtime.RebuildProgress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The rebuild of snapshots from {@code S-events} (a replay, or a pure event-sourcing task starting)
 * per type and partition, as gauges over a {@link RebuildBoard}: whether commands are held back for
 * it, and the events still to fold. Events folded are {@code foldstream_rebuild_events_folded_total}
 * ({@link WorkerMetrics}).
 *
 * <pre>{@code
 * RebuildBoard rebuilds = RebuildMeters.board(registry);
 * Topology topology = FoldstreamTopology.build(types, codec, options, clock, eventLog, rebuilds, metrics);
 * // foldstream_rebuild_events_to_go{type="ex_users",partition="0"} 1234.0
 * }</pre>
 */
public final class RebuildMeters {

    private RebuildMeters() {
    }

    /** A board whose tasks get their gauges in the registry on their first progress. */
    public static RebuildBoard board(MeterRegistry registry) {
        return new RebuildBoard((board, type, partition) -> {
            gauge(registry, board, type, partition, "foldstream.rebuild.events.to.go",
                    "Offsets of S-events the partition's rebuild still has to read (0 when none runs)",
                    progress -> progress.running() ? progress.toGo() : 0);
            gauge(registry, board, type, partition, "foldstream.rebuild.running",
                    "1 while the partition's commands are held back for a rebuild of its snapshots",
                    progress -> progress.running() ? 1 : 0);
        });
    }

    private static void gauge(MeterRegistry registry, RebuildBoard board, String type, int partition, String name, String description,
                              ToDoubleFunction<RebuildProgress> value) {
        Gauge.builder(name, board, b -> value.applyAsDouble(b.get(type, partition))).description(description)
                .tags("type", type, "partition", Integer.toString(partition)).strongReference(true).register(registry);
    }
}
