package foldstream.ops.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Latency against offered load: both processors, at both commit settings, offered rising rates in
 * steps (one JVM per processor and setting, the steps one after another), until a step's p99 is more
 * than {@link #KNEE_FACTOR} times the lowest p99 of the steps so far or the processor does not keep up (a step not
 * answered within its drain limit). The last rate that held is the row's figure; the next one is the
 * knee. Foldstream's p99 is then compared with the bare processor's at every rate below the bare knee.
 */
final class LatencyCurve {

    /** A step whose p99 exceeds this multiple of the lowest p99 of the steps so far is past the knee. */
    static final double KNEE_FACTOR = 2.0;
    /** A step whose commands went out slower than this fraction of its rate ends the curve: the rate was not offered. */
    static final double SENT_FRACTION = 0.9;

    /** Starts a warmed-up processor of a kind with some Kafka Streams settings. */
    interface Starter {
        Benchmark.Started start(String kind, Map<String, String> properties) throws Exception;
    }

    /** The p99 of each rate offered, in order, and whether the last one held. */
    record Curve(String kind, String setting, List<Integer> rates, List<Double> p99s, List<Double> sent, boolean lastHeld,
                 String stop) {

        /** The highest rate that held; 0 when even the first did not. */
        int held() {
            int last = lastHeld ? rates.size() - 1 : rates.size() - 2;
            return last < 0 ? 0 : rates.get(last);
        }

        /** The first rate that did not hold, if one was reached. */
        Integer knee() {
            return lastHeld ? null : rates.get(rates.size() - 1);
        }
    }

    private static final Series.Chart CHART = new Series.Chart("latency-vs-load", "p99 latency against offered load",
            "offered commands/s", "p99 ms (send to result)", true, true);

    private final BenchSettings settings;
    private final LatencyCurveSettings curve;
    private final String bootstrap;
    private final CommandLoad load;
    private final Starter starter;
    private final PrintStream progress;
    /** Processors measured after the bare one and Foldstream at each setting (the contract's floor, with {@code FLOOR}). */
    private final List<String> alsoKinds;

    /** @param load commands enough for every step of one curve, {@link #commandsNeeded} */
    LatencyCurve(BenchSettings settings, LatencyCurveSettings curve, String bootstrap, CommandLoad load, Starter starter,
                 PrintStream progress) {
        this(settings, curve, bootstrap, load, starter, progress, List.of());
    }

    LatencyCurve(BenchSettings settings, LatencyCurveSettings curve, String bootstrap, CommandLoad load, Starter starter,
                 PrintStream progress, List<String> alsoKinds) {
        this.alsoKinds = alsoKinds;
        this.settings = settings;
        this.curve = curve;
        this.bootstrap = bootstrap;
        this.load = load;
        this.starter = starter;
        this.progress = progress;
    }

    /** The commands one processor's curve may send: every step, and a warm-up before the first. */
    static int commandsNeeded(LatencyCurveSettings curve) {
        long total = warmUpSeconds(curve) * (long) curve.rates().get(0);
        for (int rate : curve.rates()) {
            total += rate * curve.step().toSeconds();
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, total));
    }

    private static long warmUpSeconds(LatencyCurveSettings curve) {
        return Math.min(5, curve.step().toSeconds());
    }

    List<Measurement> measure() throws Exception {
        List<Measurement> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> setting : List.of(
                Map.entry("default commit interval", Map.<String, String>of()), Map.entry("low-latency", settings.lowLatency()))) {
            Curve bare = run("bare", setting.getKey(), setting.getValue());
            Curve fold = run("foldstream", setting.getKey(), setting.getValue());
            rows.add(row(bare, setting.getValue()));
            rows.add(row(fold, setting.getValue()));
            comparison(fold, bare).ifPresent(rows::add);
            for (String kind : alsoKinds) {
                rows.add(row(run(kind, setting.getKey(), setting.getValue()), setting.getValue()));
            }
        }
        return rows;
    }

    private Curve run(String kind, String setting, Map<String, String> properties) throws Exception {
        List<Integer> rates = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<Double> sent = new ArrayList<>();
        boolean held = true;
        String stop = "";
        int from = 0;
        try (Benchmark.Started processor = starter.start(kind, properties);
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            for (int step = 0; step < curve.rates().size() && held; step++) {
                int rate = curve.rates().get(step);
                int warmUp = step == 0 ? (int) (warmUpSeconds(curve) * rate) : 0;
                int count = (int) Math.min(load.size() - from, warmUp + rate * curve.step().toSeconds());
                progress.printf("%n[bench] %s latency curve (%s): %,d/s for %d s%n", kind, setting, rate, curve.step().toSeconds());
                LatencySamples samples = PacedLoad.offer(bootstrap, producer, processor.output(), processor.stream() + "-commands", load,
                        from, count, rate, warmUp, drainLimit(), processor.child(),
                        (what, done) -> progress.printf("\r[bench]   %s %s %,d / %,d   ", kind, what, done, count));
                from += count;
                if (step > 0 && samples.sentPerSecond() < SENT_FRACTION * rate) {
                    // The sender, not the processor, fell behind: the step was not offered at its rate, and is left out.
                    stop = String.format(Locale.ROOT, "; stopped at %d/s: the load generator sent only %.0f/s", rate, samples.sentPerSecond());
                    break;
                }
                rates.add(rate);
                double p99 = samples.p99Millis();
                p99s.add(p99);
                sent.add(samples.sentPerSecond());
                // Past the knee: unanswered within the drain limit (it cannot keep up), or p99 grown beyond the factor.
                // The lowest p99 so far is the baseline: the first step may still carry a cold JVM's slowness.
                held = samples.unanswered() == 0 && p99 <= KNEE_FACTOR * p99s.stream().mapToDouble(Double::doubleValue).min().orElse(p99);
            }
        }
        return new Curve(kind, setting, rates, p99s, sent, held, stop);
    }

    /** Long enough for a processor that keeps up to answer the last commands; one that needs longer is behind. */
    private Duration drainLimit() {
        return curve.step().compareTo(Duration.ofSeconds(10)) > 0 ? curve.step() : Duration.ofSeconds(10);
    }

    private Measurement row(Curve c, Map<String, String> properties) {
        String knee = c.knee() == null ? "no knee up to " + c.rates().get(c.rates().size() - 1) + "/s" + c.stop()
                : String.format(Locale.ROOT, "knee at %d/s", c.knee());
        Map<String, Double> details = new LinkedHashMap<>();
        for (int i = 0; i < c.rates().size(); i++) {
            details.put("p99 ms at " + c.rates().get(i) + "/s", c.p99s().get(i));
        }
        String points = pointsText(c);
        List<Double> x = c.rates().stream().map(Integer::doubleValue).toList();
        return new Measurement(label(c.kind()) + " latency curve, " + c.setting() + ": highest offered rate held", "offered/s",
                List.of((double) c.held()), details,
                knee + " (p99 over " + KNEE_FACTOR + "x the lowest p99 before, or not answered within the drain limit); p99 ms by offered/s: "
                        + points + (properties.isEmpty() ? "" : "; " + properties),
                List.of(new Series(CHART, label(c.kind()) + ", " + c.setting(), x, c.p99s())));
    }

    /** What a processor of {@code kind} is called in the rows and charts. */
    static String label(String kind) {
        return ContractFloorProcessor.Window.ofKind(kind).isPresent() ? "contract floor" : kind;
    }

    /**
     * The largest ratio of Foldstream's p99 to the bare processor's at the rates below the bare knee
     * (the target: at most 1); none when the bare processor held no rate.
     */
    private static Optional<Measurement> comparison(Curve fold, Curve bare) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        int bareHeld = bare.held();
        for (int i = 0; i < fold.rates().size() && i < bare.rates().size(); i++) {
            int rate = fold.rates().get(i);
            if (rate <= bareHeld && fold.rates().get(i).equals(bare.rates().get(i))) {
                ratios.put("at " + rate + "/s", fold.p99s().get(i) / bare.p99s().get(i));
            }
        }
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        double worst = ratios.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        String each = ratios.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        return Optional.of(new Measurement("foldstream p99 / bare p99 below the bare knee, " + fold.setting() + " (worst rate)", "x",
                List.of(worst), Map.of(), "target <= 1; " + each));
    }

    private static String pointsText(Curve c) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.rates().size(); i++) {
            text.append(i == 0 ? "" : ", ").append(c.rates().get(i)).append(": ")
                    .append(String.format(Locale.ROOT, "%.0f (sent at %.0f/s)", c.p99s().get(i), c.sent().get(i)));
        }
        return text.toString();
    }
}
