package foldstream.ops.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command of one paced run: when it was sent (nanoseconds since the run began) and how long
 * its result took to arrive (nanoseconds, 0 when none came). The first {@code warmUp} commands ran
 * on a cold JVM: offered, but not counted in the figures.
 *
 * @param sentAt send times, since the start of the run
 * @param latency send-to-result times, 0 for a command not answered
 * @param warmUp how many of the first commands the figures leave out
 */
record LatencySamples(long[] sentAt, long[] latency, int warmUp) {

    LatencySamples {
        if (sentAt.length != latency.length || sentAt.length == 0) {
            throw new IllegalArgumentException("one send time per latency, and at least one");
        }
        warmUp = Math.max(0, Math.min(sentAt.length - 1, warmUp));
    }

    /** The counted latencies, sorted, in nanoseconds. */
    private long[] counted() {
        return Stats.sorted(Arrays.copyOfRange(latency, warmUp, latency.length));
    }

    /** p50, p95, p99, p99.9 and max, in milliseconds. */
    Map<String, Double> figures() {
        long[] sorted = counted();
        Map<String, Double> figures = new LinkedHashMap<>();
        for (double p : new double[] {50, 95, 99, 99.9}) {
            figures.put("p" + (p == 99.9 ? "99.9" : Integer.toString((int) p)) + " ms", Stats.percentile(sorted, p) / 1e6);
        }
        figures.put("max ms", sorted[sorted.length - 1] / 1e6);
        return figures;
    }

    /** Commands with no result. */
    int unanswered() {
        int missing = 0;
        for (long value : latency) {
            missing += value == 0 ? 1 : 0;
        }
        return missing;
    }

    /** The rate the commands actually went out at, first send to last: below the rate asked for when the sender fell behind. */
    double sentPerSecond() {
        long span = sentAt[sentAt.length - 1] - sentAt[0];
        return span <= 0 ? 0 : (sentAt.length - 1) / (span / 1e9);
    }

    double p99Millis() {
        return Stats.percentile(counted(), 99) / 1e6;
    }

    /** The p50 and p99 (ms) of the commands sent in each whole second of the run, warm-up included: stalls show where they happened. */
    List<Series> perSecond(Series.Chart chart, String name) {
        Map<Long, List<Long>> bySecond = new LinkedHashMap<>();
        for (int i = 0; i < sentAt.length; i++) {
            bySecond.computeIfAbsent(sentAt[i] / 1_000_000_000L, s -> new ArrayList<>()).add(latency[i]);
        }
        List<Double> seconds = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        bySecond.forEach((second, values) -> {
            long[] sorted = Stats.sorted(values.stream().mapToLong(Long::longValue).toArray());
            seconds.add((double) second);
            p50.add(Stats.percentile(sorted, 50) / 1e6);
            p99.add(Stats.percentile(sorted, 99) / 1e6);
        });
        return List.of(new Series(chart, name + " p50", seconds, p50), new Series(chart, name + " p99", seconds, p99));
    }

    /** The distribution of the counted latencies as a CDF: latency (ms) at each of {@code points} percentiles up to p99.9, then max. */
    Series distribution(Series.Chart chart, String name, int points) {
        long[] sorted = counted();
        List<Double> millis = new ArrayList<>();
        List<Double> percent = new ArrayList<>();
        for (int i = 1; i <= points; i++) {
            // Denser towards the tail, where the processors differ: 1 - 10^(-3 i / points) runs from ~0 to 99.9 %.
            double p = 100 * (1 - Math.pow(10, -3.0 * i / points));
            millis.add(Stats.percentile(sorted, p) / 1e6);
            percent.add(p);
        }
        millis.add(sorted[sorted.length - 1] / 1e6);
        percent.add(100.0);
        return new Series(chart, name, millis, percent);
    }
}
