package foldstream.ops.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The charts a latency run is drawn in: its p50 and p99 second by second, and its distribution. */
final class LatencyCharts {

    private static final int DISTRIBUTION_POINTS = 120;

    private LatencyCharts() {
    }

    /** The series of one processor's run under one commit setting; both processors' go into the same charts. */
    static List<Series> of(String kind, String settingName, LatencySamples run) {
        String slug = slug(settingName);
        Series.Chart overTime = new Series.Chart("latency-over-time-" + slug, "Latency second by second (" + settingName + ")",
                "second of the run (the first ones are warm-up)", "ms, commands sent that second", false, true);
        Series.Chart distribution = new Series.Chart("latency-distribution-" + slug, "Latency distribution (" + settingName + ")",
                "send to result, ms", "% of commands answered within", true, false);
        List<Series> series = new ArrayList<>(run.perSecond(overTime, kind));
        series.add(run.distribution(distribution, kind, DISTRIBUTION_POINTS));
        return series;
    }

    /** A setting's name as a file name part: "default commit interval" is "default-commit-interval". */
    static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
