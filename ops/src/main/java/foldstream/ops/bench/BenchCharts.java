package foldstream.ops.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The benchmark's pictures: SVG charts (drawn by XChart) and an HTML page showing them with the
 * table, in a directory beside the JSON ({@code foldstream-bench.json} gets {@code foldstream-bench-report/}).
 *
 * <ul>
 *   <li>every {@link Series.Chart} the measurements' series name (latency second by second, latency
 *       distributions, latency against offered load), each with all of its series;</li>
 *   <li>throughput: a bar per throughput measurement (unit records/s or commands/s), its median;</li>
 *   <li>scale-out: throughput against worker processes, from the measurements named
 *       "... throughput with N workers ...", one line per the rest of the name (e.g. the partitions).</li>
 * </ul>
 */
final class BenchCharts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final Pattern WORKERS = Pattern.compile("(.*throughput with )(\\d+)( workers?)(.*)");

    private final List<Measurement> measurements;

    BenchCharts(List<Measurement> measurements) {
        this.measurements = measurements;
    }

    /** The report's directory for a JSON file: beside it, named after it. */
    static Path directoryFor(Path json) {
        String name = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path parent = json.toAbsolutePath().getParent();
        return parent.resolve(name + "-report");
    }

    /** Writes every chart there is data for and {@code report.html}; returns the page. */
    Path write(Path directory, String table) throws IOException {
        Files.createDirectories(directory);
        Map<String, String> written = new LinkedHashMap<>();
        for (Map.Entry<Series.Chart, List<Series>> chart : seriesByChart().entrySet()) {
            written.put(chart.getKey().file(), chart.getKey().title());
            save(line(chart.getKey(), chart.getValue()), directory.resolve(chart.getKey().file() + ".svg"));
        }
        List<Measurement> throughput = measurements.stream()
                .filter(m -> m.unit().equals("records/s") || m.unit().equals("commands/s")).toList();
        if (!throughput.isEmpty()) {
            written.put("throughput", "Throughput per measurement (median of its runs)");
            save(bars(throughput), directory.resolve("throughput.svg"));
        }
        Map<String, TreeMap<Integer, Double>> scale = scaleOut();
        if (!scale.isEmpty()) {
            written.put("scale-out", "Throughput against worker processes");
            save(scaleChart(scale), directory.resolve("scale-out.svg"));
        }
        Path page = directory.resolve("report.html");
        Files.writeString(page, html(written, table), StandardCharsets.UTF_8);
        return page;
    }

    private Map<Series.Chart, List<Series>> seriesByChart() {
        Map<Series.Chart, List<Series>> charts = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            for (Series s : m.series()) {
                charts.computeIfAbsent(s.chart(), c -> new ArrayList<>()).add(s);
            }
        }
        return charts;
    }

    private static XYChart line(Series.Chart spec, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
                .xAxisTitle(spec.xTitle()).yAxisTitle(spec.yTitle()).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisLogarithmic(spec.logX());
        chart.getStyler().setYAxisLogarithmic(spec.logY());
        chart.getStyler().setMarkerSize(series.stream().anyMatch(s -> s.x().size() > 40) ? 0 : 6);
        for (Series s : series) {
            chart.addSeries(s.name(), positive(s.x(), spec.logX()), positive(s.y(), spec.logY()));
        }
        return chart;
    }

    /** Values for a logarithmic axis must be above 0: a 0 (a sub-millisecond latency rounded) is drawn at the axis' floor. */
    private static double[] positive(List<Double> values, boolean log) {
        double floor = log ? values.stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).min().orElse(1) : Double.NEGATIVE_INFINITY;
        return values.stream().mapToDouble(v -> Math.max(v, floor)).toArray();
    }

    private static CategoryChart bars(List<Measurement> throughput) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT + 120).title("Throughput")
                .xAxisTitle("measurement").yAxisTitle("per second (median of the runs)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        List<String> names = new ArrayList<>();
        List<Double> medians = new ArrayList<>();
        for (Measurement m : throughput) {
            names.add(shorten(m.name()) + " (" + m.unit() + ")");
            medians.add(m.median());
        }
        chart.addSeries("median", names, medians);
        return chart;
    }

    /** "... throughput with 2 workers, 6 partitions" gives the line "... throughput with N workers, 6 partitions" the point (2, median). */
    private Map<String, TreeMap<Integer, Double>> scaleOut() {
        Map<String, TreeMap<Integer, Double>> lines = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            Matcher match = WORKERS.matcher(m.name());
            if (match.matches()) {
                String line = (match.group(1) + "N" + match.group(3) + match.group(4)).trim();
                lines.computeIfAbsent(line, l -> new TreeMap<>()).put(Integer.parseInt(match.group(2)), m.median());
            }
        }
        return lines;
    }

    private static XYChart scaleChart(Map<String, TreeMap<Integer, Double>> lines) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Scale-out")
                .xAxisTitle("worker processes").yAxisTitle("commands/s (median of the runs)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(0.0);
        lines.forEach((name, points) -> chart.addSeries(name,
                points.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                points.values().stream().mapToDouble(Double::doubleValue).toArray()));
        return chart;
    }

    private static String shorten(String name) {
        return name.length() <= 60 ? name : name.substring(0, 57) + "...";
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
    }

    private static String html(Map<String, String> charts, String table) {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Foldstream benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}pre{font-size:12px;overflow-x:auto}"
                        + "img{max-width:100%;border:1px solid #ddd}</style>\n</head>\n<body>\n<h1>Foldstream benchmark</h1>\n");
        page.append("<pre>").append(escape(table)).append("</pre>\n");
        charts.forEach((file, title) -> page.append(String.format(Locale.ROOT,
                "<h2>%s</h2>\n<img src=\"%s.svg\" alt=\"%s\">\n", escape(title), file, escape(title))));
        return page.append("</body>\n</html>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
