package foldstream.ops.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The benchmark's table for people and its JSON for scripts. */
public record BenchReport(BenchSettings settings, List<Measurement> measurements) {

    public void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "%nFoldstream benchmark: %,d commands over %,d aggregates, %d partitions, %d runs each%s; latency at %,d/s for %d s; "
                        + "child JVMs %s a class archive%n%n",
                settings.commands(), settings.aggregates(), settings.partitions(), settings.repeats(),
                settings.warmUp().isZero() ? "" : ", throughput timed from " + settings.warmUp().toSeconds() + " s after the first answer",
                settings.rate(), settings.latencyDuration().toSeconds(), settings.classArchive() ? "from" : "without");
        out.printf(Locale.ROOT, "| %-72s | %14s | %-30s | %7s | %s%n", "measure", "median", "runs", "spread", "notes");
        out.printf("|%s|%s|%s|%s|%s%n", "-".repeat(74), "-".repeat(16), "-".repeat(32), "-".repeat(9), "-".repeat(6));
        for (Measurement m : measurements) {
            String runs = m.runs().stream().map(BenchReport::number).collect(Collectors.joining(", "));
            String spread = m.runs().size() > 1 ? String.format(Locale.ROOT, "%.0f%%", m.spread() * 100) : "-";
            String notes = m.note() + (m.details().isEmpty() || !m.unit().equals("ms") ? "" : " " + details(m.details()))
                    + (m.tooWide() ? "  SPREAD TOO WIDE TO TRUST" : "");
            out.printf(Locale.ROOT, "| %-72s | %14s | %-30s | %7s | %s%n", m.name(),
                    m.runs().isEmpty() ? "unavailable" : number(m.median()) + " " + m.unit(), runs, spread, notes.trim());
        }
    }

    private static String details(Map<String, Double> details) {
        return details.entrySet().stream().map(e -> e.getKey().replace(" ms", "") + "=" + number(e.getValue()))
                .collect(Collectors.joining(" ", "[", " ms]"));
    }

    private static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    public void writeJson(Path file) throws IOException {
        StringBuilder json = new StringBuilder("{\n  \"settings\": {")
                .append("\"commands\": ").append(settings.commands())
                .append(", \"aggregates\": ").append(settings.aggregates())
                .append(", \"partitions\": ").append(settings.partitions())
                .append(", \"rate\": ").append(settings.rate())
                .append(", \"latencySeconds\": ").append(settings.latencyDuration().toSeconds())
                .append(", \"repeats\": ").append(settings.repeats())
                .append(", \"restoreEvents\": ").append(settings.restoreEvents())
                .append(", \"classArchive\": ").append(settings.classArchive()).append("},\n  \"measurements\": [\n");
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            json.append("    {\"name\": ").append(quote(m.name())).append(", \"unit\": ").append(quote(m.unit()))
                    .append(", \"median\": ").append(m.runs().isEmpty() ? "null" : m.median()).append(", \"spread\": ").append(m.spread())
                    .append(", \"tooWide\": ").append(m.tooWide())
                    .append(", \"runs\": ").append(m.runs())
                    .append(", \"details\": {")
                    .append(m.details().entrySet().stream().map(e -> quote(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(", ")))
                    .append("}, \"note\": ").append(quote(m.note()))
                    .append(m.series().isEmpty() ? "" : ", \"series\": " + series(m.series())).append('}')
                    .append(i + 1 < measurements.size() ? ",\n" : "\n");
        }
        json.append("  ]\n}\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json);
    }

    /** The points of charted series, for scripts that draw their own. */
    private static String series(List<Series> series) {
        return series.stream().map(s -> "{\"chart\": " + quote(s.chart().file()) + ", \"name\": " + quote(s.name())
                + ", \"x\": " + s.x() + ", \"y\": " + s.y() + "}").collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * Writes the charts and {@code report.html} into a directory beside the JSON file ({@code
     * bench.json} gets {@code bench-report/}); returns the page.
     */
    public Path writeHtml(Path json) throws IOException {
        java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
        printTable(new PrintStream(table, true, java.nio.charset.StandardCharsets.UTF_8));
        return new BenchCharts(measurements).write(BenchCharts.directoryFor(json), table.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
