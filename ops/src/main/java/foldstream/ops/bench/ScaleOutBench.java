package foldstream.ops.bench;

import foldstream.worker.runtime.AggregateTopics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The scale-out curve: Foldstream's throughput with 1, 2, 3... worker JVMs in one consumer group,
 * at each partition count ({@link ScaleSettings}). Every worker of a run has joined the group, owns
 * partitions and has answered one command per partition before the load (the throughput part's
 * commands, encoded up front) is produced; the figure is the load's answers from the first to the
 * last, as in the throughput part. Runs alternate over worker counts and partitions within each
 * repeat, so that a busy machine weighs on every point alike.
 *
 * <p>Each row's details carry {@code workers} and {@code partitions} (for charts) and its ratio to
 * the fewest workers at the same partitions.
 */
final class ScaleOutBench {

    private final WorkerRuns runs;
    private final ScaleSettings scale;
    private final int repeats;
    private final PrintStream progress;

    ScaleOutBench(WorkerRuns runs, ScaleSettings scale, int repeats, PrintStream progress) {
        this.runs = runs;
        this.scale = scale;
        this.repeats = repeats;
        this.progress = progress;
    }

    /** @param load the commands of every run, their ids starting with {@code idPrefix} (not {@code warmup-}) */
    List<Measurement> measure(CommandLoad load, String idPrefix) throws Exception {
        Map<List<Integer>, List<Double>> figures = new LinkedHashMap<>();
        for (int partitions : scale.partitions()) {
            for (int workers : scale.workers()) {
                figures.put(List.of(partitions, workers), new ArrayList<>());
            }
        }
        for (int r = 0; r < repeats; r++) {
            for (Map.Entry<List<Integer>, List<Double>> point : figures.entrySet()) {
                int partitions = point.getKey().get(0);
                int workers = point.getKey().get(1);
                progress.printf("%n[bench] scale-out: %d workers, %d partitions, run %d/%d%n", workers, partitions, r + 1, repeats);
                point.getValue().add(run(load, idPrefix, workers, partitions));
            }
        }
        List<Measurement> measurements = new ArrayList<>();
        int fewest = scale.workers().get(0);
        for (Map.Entry<List<Integer>, List<Double>> point : figures.entrySet()) {
            int partitions = point.getKey().get(0);
            int workers = point.getKey().get(1);
            double ratio = Stats.median(point.getValue()) / Stats.median(figures.get(List.of(partitions, fewest)));
            Map<String, Double> details = new LinkedHashMap<>();
            details.put("workers", (double) workers);
            details.put("partitions", (double) partitions);
            details.put("ratio to " + fewest + " worker" + (fewest == 1 ? "" : "s"), ratio);
            measurements.add(new Measurement(name(workers, partitions), "commands/s", point.getValue(), details,
                    String.format(Locale.ROOT, "%.2f of %d worker%s at %d partitions; one stream thread per worker JVM",
                            ratio, fewest, fewest == 1 ? "" : "s", partitions)));
        }
        return measurements;
    }

    /** The row's name, also what a chart looks for. */
    static String name(int workers, int partitions) {
        return "foldstream throughput, " + workers + " worker" + (workers == 1 ? "" : "s") + ", " + partitions + " partitions";
    }

    private double run(CommandLoad load, String idPrefix, int workers, int partitions) throws Exception {
        String stream = runs.newStream("scale" + workers + "w" + partitions + "p");
        List<String> streams = List.of(stream);
        String app = "app-" + stream;
        runs.createTopics(streams, partitions);
        List<ChildProcess> children = new ArrayList<>();
        try (ResultWatch watch = new ResultWatch(runs.bootstrap(), runs.results(streams), false)) {
            for (int i = 0; i < workers; i++) {
                children.add(runs.start(streams, app));
            }
            runs.awaitGroup(app, workers, children);
            List<ProducerRecord<byte[], byte[]>> warmUps = runs.warmUps(streams, partitions);
            runs.send(warmUps);
            runs.await(watch, WorkerRuns.ids(warmUps), children);
            String commands = AggregateTopics.of(stream).commands();
            return runs.produceAndAwait(load, i -> commands, watch, idPrefix, children, () -> { }).perSecond();
        } finally {
            // In parallel: each worker takes seconds to close cleanly.
            children.parallelStream().forEach(ChildProcess::close);
        }
    }
}
