package foldstream.ops.bench;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the scale-out and many-types parts run ({@code --scale-workers}, {@code --scale-partitions},
 * {@code --types}).
 *
 * @param workers worker JVMs in one consumer group, one run each (default 1, 2, 3); the ratios are
 *     to the first
 * @param partitions partitions of the scale-out runs' topics, one curve each (default 6, 24)
 * @param types aggregate types of the many-types runs (default 20), compared with one
 */
public record ScaleSettings(List<Integer> workers, List<Integer> partitions, int types) {

    public static final ScaleSettings DEFAULT = new ScaleSettings(List.of(1, 2, 3), List.of(6, 24), 20);

    /** The parts these settings drive: long, so they run only when {@code --only} names them. */
    public static final Set<BenchSettings.Part> PARTS = EnumSet.of(BenchSettings.Part.SCALE, BenchSettings.Part.TYPES);

    public ScaleSettings {
        workers = List.copyOf(workers);
        partitions = List.copyOf(partitions);
        if (workers.isEmpty() || partitions.isEmpty() || workers.stream().anyMatch(n -> n < 1) || partitions.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("--scale-workers and --scale-partitions must list positive numbers");
        }
        if (types < 2) {
            throw new IllegalArgumentException("--types must be at least 2 (it is compared with one type)");
        }
    }
}
