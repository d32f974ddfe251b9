package foldstream.ops.bench;

import java.time.Duration;
import java.util.List;

/**
 * What the latency curve ({@link BenchSettings.Part#LATENCY_CURVE}) offers: each rate in turn, for
 * {@code step} each, to one processor per kind and commit setting.
 *
 * @param rates offered commands per second, ascending (default 500 to 16,000, doubling)
 * @param step how long each rate is offered (default 10 s)
 */
public record LatencyCurveSettings(List<Integer> rates, Duration step) {

    /** 500, 1,000, ... 16,000 commands/s, 10 s each: about two minutes per processor and setting on a quiet machine. */
    public static final LatencyCurveSettings DEFAULT = new LatencyCurveSettings(List.of(500, 1_000, 2_000, 4_000, 8_000, 16_000),
            Duration.ofSeconds(10));

    public LatencyCurveSettings {
        rates = List.copyOf(rates);
        if (rates.isEmpty() || rates.stream().anyMatch(rate -> rate < 1)) {
            throw new IllegalArgumentException("--curve-rates must be positive commands/s");
        }
        for (int i = 1; i < rates.size(); i++) {
            if (rates.get(i) <= rates.get(i - 1)) {
                throw new IllegalArgumentException("--curve-rates must ascend: " + rates);
            }
        }
        if (step.toMillis() < 1_000) {
            throw new IllegalArgumentException("--curve-step must be at least 1 s");
        }
    }
}
