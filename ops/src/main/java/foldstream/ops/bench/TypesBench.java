package foldstream.ops.bench;

import foldstream.worker.runtime.AggregateTopics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Many aggregate types in one worker: the same commands spread over {@code types} generated
 * aggregate types (each the {@code ex_accounts} rules under a stream name of its own: its own six
 * topics, registry subjects, stores and sub-topology) against all of them on one type, alternating
 * run for run. Each type's topics get the run's partition count, as a user creating the types would
 * (so 20 types are 20 times the tasks). An aggregate's commands all go to one type.
 *
 * <p>Start-up is timed from the worker's process start until every partition of every type has
 * answered a deposit that waited there: JVM start, topic and schema checks, the consumer group,
 * the tasks' stores and the first commit. Then the load (the throughput part's commands, encoded up
 * front) is produced, and the throughput is its answers from the first to the last, as in
 * {@link ScaleOutBench}, or from the first after the benchmark's {@code --warm-up} ({@link WarmWindow}):
 * the worker's JIT compiler takes about a core of this machine for its first seconds of load.
 */
final class TypesBench {

    private final WorkerRuns runs;
    private final int types;
    private final int partitions;
    private final int repeats;
    private final PrintStream progress;
    /** What the measurements are named after: {@code foldstream}, or {@code contract floor}. */
    private final String label;

    TypesBench(WorkerRuns runs, int types, int partitions, int repeats, PrintStream progress) {
        this(runs, types, partitions, repeats, progress, "foldstream");
    }

    /** @param label names the measurements: what {@code runs} starts */
    TypesBench(WorkerRuns runs, int types, int partitions, int repeats, PrintStream progress, String label) {
        this.label = label;
        this.runs = runs;
        this.types = types;
        this.partitions = partitions;
        this.repeats = repeats;
        this.progress = progress;
    }

    /**
     * @param cpuMillisPerThousand the worker JVM's CPU time (all threads) from the load's start, or over a warm-up's timed answers, to the last answer, per 1,000 commands (NaN where the platform does not tell)
     * @param benchCpuMillisPerThousand the same for the benchmark's own JVM: the broker (when the benchmark started it), the load's producer and the answers' consumer
     */
    private record Run(double commandsPerSecond, double startUpSeconds, double cpuMillisPerThousand, double benchCpuMillisPerThousand) {
    }

    /**
     * @param load the commands of every run, their ids starting with {@code idPrefix} (not {@code warmup-})
     * @param compare worker settings the many-types worker also runs with, alternating run for run (none: not run)
     */
    List<Measurement> measure(CommandLoad load, String idPrefix, Map<String, String> compare) throws Exception {
        Map<Integer, List<Run>> byCount = new LinkedHashMap<>();
        byCount.put(1, new ArrayList<>());
        byCount.put(types, new ArrayList<>());
        List<Run> compared = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            for (Map.Entry<Integer, List<Run>> count : byCount.entrySet()) {
                progress.printf("%n[bench] %s: %d aggregate type%s in one JVM, run %d/%d%n", label, count.getKey(),
                        count.getKey() == 1 ? "" : "s", r + 1, repeats);
                count.getValue().add(run(load, idPrefix, count.getKey(), Map.of()));
            }
            if (!compare.isEmpty()) {
                progress.printf("%n[bench] %d aggregate types in one worker with %s, run %d/%d%n", types, compare, r + 1, repeats);
                compared.add(run(load, idPrefix, types, compare));
            }
        }
        List<Double> one = byCount.get(1).stream().map(Run::commandsPerSecond).toList();
        List<Double> many = byCount.get(types).stream().map(Run::commandsPerSecond).toList();
        double ratio = Stats.median(many) / Stats.median(one);
        List<Measurement> measurements = new ArrayList<>();
        measurements.add(new Measurement(throughputName(label, 1), "commands/s", one, details(1, Map.of()),
                String.format(Locale.ROOT, "%d partitions (%d tasks)", partitions, partitions)));
        measurements.add(new Measurement(throughputName(label, types), "commands/s", many, details(types, Map.of("ratio to 1 type", ratio)),
                String.format(Locale.ROOT, "%.2f of one type (target 0.9); the same commands; %d partitions per type (%d tasks)",
                        ratio, partitions, partitions * types)));
        if (!compared.isEmpty()) {
            List<Double> figures = compared.stream().map(Run::commandsPerSecond).toList();
            double comparedRatio = Stats.median(figures) / Stats.median(one);
            measurements.add(new Measurement(throughputName(label, types) + " with " + compare, "commands/s", figures,
                    details(types, Map.of("ratio to 1 type", comparedRatio)),
                    String.format(Locale.ROOT, "%.2f of one type with default settings; alternating with the runs above", comparedRatio)));
            measurements.add(new Measurement(cpuName(label, types) + " with " + compare, "ms/1000 commands",
                    compared.stream().map(Run::cpuMillisPerThousand).toList(), details(types, Map.of()),
                    "worker CPU time (all threads) from the first command produced (with a warm-up: from the first timed answer) to the last answer"));
            measurements.add(new Measurement(startUpName(label, types) + " with " + compare, "s",
                    compared.stream().map(Run::startUpSeconds).toList(), details(types, Map.of()),
                    "process start until every partition of every type answered its first command; alternating with the runs below"));
        }
        // CPU per command: what a loaded machine distorts least (wall-clock figures wait for the CPU others use).
        for (Map.Entry<Integer, List<Run>> count : byCount.entrySet()) {
            measurements.add(new Measurement(cpuName(label, count.getKey()), "ms/1000 commands",
                    count.getValue().stream().map(Run::cpuMillisPerThousand).toList(), details(count.getKey(), Map.of()),
                    "worker CPU time (all threads) from the first command produced (with a warm-up: from the first timed answer) to the last answer"));
        }
        // The broker shares these two cores: what many partitions cost it shows here, not in the worker's figure.
        for (Map.Entry<Integer, List<Run>> count : byCount.entrySet()) {
            measurements.add(new Measurement(benchCpuName(label, count.getKey()), "ms/1000 commands",
                    count.getValue().stream().map(Run::benchCpuMillisPerThousand).toList(), details(count.getKey(), Map.of()),
                    "the benchmark's JVM (broker, load producer, answer consumer), same span"));
        }
        for (Map.Entry<Integer, List<Run>> count : byCount.entrySet()) {
            measurements.add(new Measurement(startUpName(label, count.getKey()), "s", count.getValue().stream().map(Run::startUpSeconds).toList(),
                    details(count.getKey(), Map.of()), "process start until every partition of every type answered its first command"));
        }
        return measurements;
    }

    static String throughputName(int types) {
        return throughputName("foldstream", types);
    }

    static String throughputName(String label, int types) {
        return label + " throughput, " + types + " aggregate type" + (types == 1 ? "" : "s") + " in one worker";
    }

    static String cpuName(int types) {
        return cpuName("foldstream", types);
    }

    static String cpuName(String label, int types) {
        return label + " worker CPU per 1,000 commands, " + types + " aggregate type" + (types == 1 ? "" : "s");
    }

    static String benchCpuName(int types) {
        return benchCpuName("foldstream", types);
    }

    static String benchCpuName(String label, int types) {
        return "benchmark JVM CPU per 1,000 commands" + (label.equals("foldstream") ? "" : " beside the " + label) + ", "
                + types + " aggregate type" + (types == 1 ? "" : "s");
    }

    static String startUpName(int types) {
        return startUpName("foldstream", types);
    }

    static String startUpName(String label, int types) {
        return label + " start-up, " + types + " aggregate type" + (types == 1 ? "" : "s");
    }

    private static Map<String, Double> details(int types, Map<String, Double> more) {
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("types", (double) types);
        details.putAll(more);
        return details;
    }

    private Run run(CommandLoad load, String idPrefix, int count, Map<String, String> properties) throws Exception {
        String base = runs.newStream("types" + count + "x");
        List<String> streams = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            streams.add(base + "t" + t);
        }
        runs.createTopics(streams, partitions);
        try {
            return run(load, idPrefix, streams, base, properties);
        } finally {
            runs.deleteTopics(List.of(base + "t", "app-" + base + "-"));
        }
    }

    private Run run(CommandLoad load, String idPrefix, List<String> streams, String base, Map<String, String> properties) throws Exception {
        int count = streams.size();
        List<String> commands = streams.stream().map(s -> AggregateTopics.of(s).commands()).toList();
        try (ResultWatch watch = new ResultWatch(runs.bootstrap(), runs.results(streams), false)) {
            // The warm-ups wait in the topics: the first command each task reads, answered once the worker is up.
            List<ProducerRecord<byte[], byte[]>> warmUps = runs.warmUps(streams, partitions);
            runs.send(warmUps);
            long start = System.nanoTime();
            try (ChildProcess worker = runs.start(streams, "app-" + base, properties)) {
                // Many types open many stores: on a busy machine that takes minutes.
                long warm = runs.await(watch, WorkerRuns.ids(warmUps), List.of(worker), WorkerRuns.STALL.multipliedBy(3));
                progress.printf("%n[bench]   producing %,d commands to %d types%n", load.size(), count);
                double[] cpuAtStart = {worker.cpuSeconds(), ChildProcess.cpuSeconds(ProcessHandle.current())};
                boolean[] fromWindow = {false}; // whether the CPU clocks were read again where a warm-up's window opened
                WarmWindow window = runs.produceAndAwait(load, i -> commands.get(Math.floorMod(Arrays.hashCode(load.keys[i]), count)),
                        watch, idPrefix, List.of(worker), () -> {
                            cpuAtStart[0] = worker.cpuSeconds(); // read with the answers that open the timed window
                            cpuAtStart[1] = ChildProcess.cpuSeconds(ProcessHandle.current());
                            fromWindow[0] = true;
                        });
                double cpu = worker.cpuSeconds() - cpuAtStart[0];
                double benchCpu = ChildProcess.cpuSeconds(ProcessHandle.current()) - cpuAtStart[1];
                double counted = fromWindow[0] ? window.timed() : load.size();
                return new Run(window.perSecond(), (warm - start) / 1e9, cpu * 1e6 / counted, benchCpu * 1e6 / counted);
            }
        }
    }
}
