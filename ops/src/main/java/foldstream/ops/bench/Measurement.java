package foldstream.ops.bench;

import java.util.List;
import java.util.Map;

/**
 * One row of the benchmark table: a figure measured {@code runs.size()} times, its median and
 * spread, and extra figures (latency percentiles, peak memory) from the median run. It may carry
 * series to draw in the report's charts (latency over time, its distribution, a curve).
 */
public record Measurement(String name, String unit, List<Double> runs, Map<String, Double> details, String note, List<Series> series) {

    /** A row without charted series. */
    public Measurement(String name, String unit, List<Double> runs, Map<String, Double> details, String note) {
        this(name, unit, runs, details, note, List.of());
    }

    public Measurement {
        series = List.copyOf(series);
    }

    /** A row that could not be measured here (no runs), the note saying why: never a made-up figure. */
    static Measurement unavailable(String name, String unit, String why) {
        return new Measurement(name, unit, List.of(), Map.of(), "unavailable: " + why);
    }

    /** The median of the runs; NaN when {@link #unavailable}. */
    double median() {
        return runs.isEmpty() ? Double.NaN : Stats.median(runs);
    }

    double spread() {
        return runs.isEmpty() ? 0 : Stats.spread(runs);
    }

    boolean tooWide() {
        return runs.size() > 1 && spread() > Stats.WIDE_SPREAD;
    }
}
