package foldstream.ops.cli;

import foldstream.ops.bench.BenchReport;
import foldstream.ops.bench.BenchSettings;
import foldstream.ops.bench.FailoverSettings;
import foldstream.ops.bench.Benchmark;
import foldstream.ops.bench.ProjectionBenchSettings;
import foldstream.ops.bench.LatencyCurveSettings;
import foldstream.ops.bench.ScaleSettings;
import foldstream.ops.bench.TransferLoad;
import foldstream.worker.aggregate.StorageMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code foldstream bench}: the benchmark table, against this machine's own ceilings. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Measures producer and bare-processor ceilings, then Foldstream's throughput, latency, skew, restore time,",
            "memory and transfers completed per second, in one table (and a JSON file). Starts its own broker and registry",
            "unless given a broker. Only with --only: FLOOR (the wire contract's records alone on Kafka Streams, three ways",
            "of keeping answered commands), PROJECTION (projection catch-up, embedded and into PostgreSQL, beside",
            "a plain consumer of the same events), LATENCY_CURVE (latency against offered load), FAILOVER (kills workers",
            "under load, on brokers of its own), SCALE (1..N worker JVMs) and TYPES (twenty aggregate types in one worker)."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "A broker to use (default: start one here)")
    String bootstrapServers;

    @Option(names = "--commands", defaultValue = "1000000", description = "Commands per throughput run (default: ${DEFAULT-VALUE})")
    int commands;

    @Option(names = "--aggregates", defaultValue = "100000", description = "Aggregates they address (default: ${DEFAULT-VALUE})")
    int aggregates;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of every topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--rate", defaultValue = "2000", description = "Offered commands/s of the latency runs (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS", description = "Length of each latency run (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(names = "--repeats", defaultValue = "3", description = "Runs per measurement, for a median (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--warm-up", defaultValue = "0", paramLabel = "SECONDS",
            description = "Time each throughput run (bare, floor, Foldstream, skewed, many types, scale-out) from its first answer this long after the first, leaving out a fresh JVM's "
                    + "compiling (default: ${DEFAULT-VALUE}, every answer; the bare processor needs about 3,000,000 commands for 10 s)")
    int warmUpSeconds;

    @Option(names = "--restore-events", defaultValue = "1000000", description = "Events' worth of state to restore (default: ${DEFAULT-VALUE})")
    int restoreEvents;

    @Option(names = "--modes", split = ",", defaultValue = "EVENTS_AND_SNAPSHOTS,EVENTS_ONLY,SNAPSHOTS_ONLY",
            description = "Storage modes whose restore is measured (default: all)")
    List<StorageMode> modes;

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "Run only these parts: ${COMPLETION-CANDIDATES} (default: all but FLOOR and the long ones, PROJECTION, LATENCY_CURVE, FAILOVER, SCALE and TYPES)")
    Set<BenchSettings.Part> only;

    @Option(names = "--low-latency", split = ",", paramLabel = "KEY=VALUE",
            description = "Kafka Streams settings of the low-latency runs (default: commit.interval.ms=10,producer.linger.ms=0)")
    Map<String, String> lowLatency;

    @Option(names = "--compare", split = ",", paramLabel = "KEY=VALUE",
            description = "Worker settings the throughput part (and TYPES' many-types worker) also runs with, alternating with the defaults in one run; num.stream.threads becomes the worker's --threads (default: none)")
    Map<String, String> compare;

    @Option(names = "--projection-events", defaultValue = "1000000",
            description = "PROJECTION: events of ex_accounts the plain consumer and both runners catch up on (default: ${DEFAULT-VALUE})")
    int projectionEvents;

    @Option(names = "--curve-rates", split = ",", paramLabel = "RATE", defaultValue = "500,1000,2000,4000,8000,16000",
            description = "Offered commands/s of the LATENCY_CURVE steps, ascending (default: ${DEFAULT-VALUE})")
    List<Integer> curveRates;

    @Option(names = "--curve-step", defaultValue = "10", paramLabel = "SECONDS", description = "Length of each LATENCY_CURVE step (default: ${DEFAULT-VALUE})")
    int curveStepSeconds;

    @Option(names = "--failover-kills", defaultValue = "3",
            description = "FAILOVER: workers killed (kill -9, then restarted) per setting (default: ${DEFAULT-VALUE})")
    int failoverKills;

    @Option(names = "--failover-rate", defaultValue = "300", description = "FAILOVER: offered commands/s (default: ${DEFAULT-VALUE})")
    int failoverRate;

    @Option(names = "--failover-with", paramLabel = "KEY=VALUE,...",
            description = {"FAILOVER: a setting to measure after Foldstream's defaults (repeatable); keys starting with broker. go to",
                "the broker (default: the fast setting, session.timeout.ms=2000,heartbeat.interval.ms=500,",
                "producer.transaction.timeout.ms=2000,broker.group.min.session.timeout.ms=1000,",
                "broker.transaction.abort.timed.out.transaction.cleanup.interval.ms=500)"})
    List<String> failoverWith;

    @Option(names = "--scale-workers", split = ",", defaultValue = "1,2,3", paramLabel = "N",
            description = "SCALE: worker JVMs in one group, one run each (default: ${DEFAULT-VALUE})")
    List<Integer> scaleWorkers;

    @Option(names = "--scale-partitions", split = ",", defaultValue = "6,24", paramLabel = "P",
            description = "SCALE: partitions of the scale-out topics, one curve each (default: ${DEFAULT-VALUE})")
    List<Integer> scalePartitions;

    @Option(names = "--types", defaultValue = "20", description = "TYPES: aggregate types in one worker, against one (default: ${DEFAULT-VALUE})")
    int types;

    @Option(names = "--transfers", defaultValue = "0", paramLabel = "N",
            description = "Transfers per run of the TRANSFERS part (default: a fiftieth of --commands, at most 20,000)")
    int transfers;

    @Option(names = "--transfer-accounts", defaultValue = "0", paramLabel = "K",
            description = "Accounts they move money between (default: a hundredth of --aggregates, at most 1,000)")
    int transferAccounts;

    @Option(names = "--json", defaultValue = "foldstream-bench.json", description = "Where the figures go (default: ${DEFAULT-VALUE})")
    Path json;

    @Option(names = "--work-dir", description = "Broker data, worker state and logs (default: a new temporary directory)")
    Path workDir;

    @Option(names = "--keep-data", description = "Keep the broker's data and the workers' state in the work directory "
            + "after the run (the next run in it deletes them first); by default they go and the logs stay (a run writes gigabytes)")
    boolean keepData;

    @Option(names = "--no-class-archive", description = "Start every child JVM without the class archive (class data sharing) that a short "
            + "training worker otherwise writes before anything is timed, as ops/foldstream worker does at its first start: measures a JVM's "
            + "start as on a machine that never ran the worker")
    boolean noClassArchive;

    @Override
    public Integer call() throws Exception {
        Path work = workDir != null ? workDir : Files.createTempDirectory("foldstream-bench");
        BenchSettings settings = new BenchSettings(Optional.ofNullable(bootstrapServers), commands, aggregates, partitions, rate,
                Duration.ofSeconds(durationSeconds), repeats, restoreEvents, modes, json, work,
                // The long parts (minutes each: a million events into PostgreSQL, a dozen latency steps) run when asked for.
                only == null || only.isEmpty() ? BenchSettings.Part.byDefault() : EnumSet.copyOf(only),
                lowLatency == null || lowLatency.isEmpty() ? BenchSettings.LOW_LATENCY : lowLatency,
                compare == null ? Map.of() : compare, new ProjectionBenchSettings(projectionEvents),
                new LatencyCurveSettings(curveRates, Duration.ofSeconds(curveStepSeconds)), failoverSettings(),
                new ScaleSettings(scaleWorkers, scalePartitions, types),
                TransferLoad.of(transfers, transferAccounts, commands, aggregates), Duration.ofSeconds(warmUpSeconds),
                !noClassArchive);
        // What an earlier run kept (--keep-data) or left (killed) belongs to another broker: a worker
        // of the same name would restore it against the new topics, offsets and schema ids.
        deleteData(work);
        BenchReport report;
        try {
            report = new Benchmark(settings, System.err).run();
        } finally {
            if (!keepData) {
                deleteData(work);
            }
        }
        report.printTable(System.out);
        report.writeJson(json);
        Path html = report.writeHtml(json);
        System.out.println("\nfigures: " + json.toAbsolutePath() + "; charts: " + html.toAbsolutePath() + "; logs: " + work.resolve("logs"));
        return 0;
    }

    /**
     * After a run the broker's data and the workers' state go (gigabytes): the {@code broker},
     * {@code state}, {@code tmp} and {@code class-archive} folders the benchmark made, in the work directory and in each
     * failover run's folder. The logs stay, and nothing else in a {@code --work-dir} is touched.
     */
    static void deleteData(Path work) throws IOException {
        List<Path> bases = new ArrayList<>(List.of(work));
        Path failover = work.resolve("failover");
        if (Files.isDirectory(failover)) {
            try (Stream<Path> runs = Files.list(failover)) {
                bases.addAll(runs.filter(Files::isDirectory).toList());
            }
        }
        for (Path base : bases) {
            for (String data : List.of("broker", "state", "tmp", "class-archive")) {
                Utils.delete(base.resolve(data).toFile());
            }
        }
    }

    private FailoverSettings failoverSettings() {
        List<FailoverSettings.Setting> settings = new ArrayList<>(List.of(FailoverSettings.Setting.DEFAULTS));
        if (failoverWith == null || failoverWith.isEmpty()) {
            settings.add(FailoverSettings.Setting.FAST);
        } else {
            failoverWith.forEach(spec -> settings.add(FailoverSettings.Setting.parse(spec)));
        }
        return new FailoverSettings(failoverKills, failoverRate, settings);
    }
}
