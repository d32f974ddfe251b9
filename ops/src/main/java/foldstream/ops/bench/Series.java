package foldstream.ops.bench;

import java.util.List;

/**
 * Points of one line (or set of bars) in one of the benchmark's charts: a measurement carries the
 * series it can be drawn as, and {@link BenchCharts} draws every series of the same {@link Chart}
 * together, whichever measurements they came from.
 *
 * <pre>{@code
 * Chart curve = new Chart("latency-vs-load", "p99 against offered load", "offered commands/s", "p99 ms", true, true);
 * new Series(curve, "foldstream, low-latency", List.of(500.0, 1000.0), List.of(40.0, 45.0));
 * }</pre>
 *
 * @param chart the chart it belongs to
 * @param name the legend's name for it
 * @param x the points' x values, in order
 * @param y their y values, as many
 */
public record Series(Chart chart, String name, List<Double> x, List<Double> y) {

    /**
     * One chart of the report.
     *
     * @param file its file name without extension (letters, digits and dashes)
     * @param title its title
     * @param xTitle the x axis' title
     * @param yTitle the y axis' title
     * @param logX whether the x axis is logarithmic (doubling rates)
     * @param logY whether the y axis is logarithmic (latencies that span decades)
     */
    public record Chart(String file, String title, String xTitle, String yTitle, boolean logX, boolean logY) {
        public Chart {
            if (!file.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("a chart's file name is letters, digits and dashes: " + file);
            }
        }
    }

    public Series {
        if (x.size() != y.size()) {
            throw new IllegalArgumentException(name + ": " + x.size() + " x values but " + y.size() + " y values");
        }
        x = List.copyOf(x);
        y = List.copyOf(y);
    }
}
