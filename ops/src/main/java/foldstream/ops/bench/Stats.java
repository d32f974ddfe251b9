package foldstream.ops.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of repeated measurements and of latency samples. */
final class Stats {

    /** Repeats whose spread, (max - min) / median, is above this are flagged as too wide to trust. */
    static final double WIDE_SPREAD = 0.25;

    private Stats() {
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double spread(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double median = median(values);
        return median == 0 ? 0 : (max - min) / median;
    }

    /** The p-th percentile (0 to 100) of the samples, nearest rank. */
    static long percentile(long[] sortedSamples, double p) {
        if (sortedSamples.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedSamples.length);
        return sortedSamples[Math.max(0, Math.min(sortedSamples.length - 1, rank - 1))];
    }

    static long[] sorted(long[] samples) {
        long[] copy = samples.clone();
        Arrays.sort(copy);
        return copy;
    }
}
