package foldstream.ops.bench;

import foldstream.examples.accounts.Deposit;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.topics.TopicAdmin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;

/**
 * Measures Foldstream the way a user choosing an engine would, side by side with this machine's
 * own ceilings in the same run: a plain producer, a bare Kafka Streams processor, then Foldstream's
 * throughput (uniform and skewed), latency at a fixed rate, restore time per storage mode and peak
 * memory. Every processor under test runs in a JVM of its own.
 */
public final class Benchmark {

    /** How long a run may go without a new answer (a warm-up without all of its answers) before it counts as stalled. */
    private static final Duration STALL = Duration.ofSeconds(120);

    private final BenchSettings settings;
    private final PrintStream progress;
    private final List<Measurement> measurements = new ArrayList<>();
    private int runCounter;
    private String bootstrap;
    private String registryUrl;
    private AvroWireCodec codec;

    public Benchmark(BenchSettings settings, PrintStream progress) {
        this.settings = settings;
        this.runCounter = settings.firstRunNumber();
        this.progress = progress;
    }

    public BenchReport run() throws Exception {
        KafkaBroker broker = null;
        SchemaRegistryServer registry = null;
        try {
            if (settings.bootstrapServers().isPresent()) {
                bootstrap = settings.bootstrapServers().get();
            } else {
                broker = new KafkaBroker(KafkaBroker.Settings.local(settings.workDir().resolve("broker")).withFreePorts());
                broker.start();
                bootstrap = broker.bootstrapServers();
            }
            registry = new SchemaRegistryServer(new RegistryServerSettings(bootstrap, "127.0.0.1", 0, "_bench_schemas")).start();
            registryUrl = registry.url();
            try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientSettings.of(registryUrl))) {
                codec = new AvroWireCodec(client, true);
                measureAll();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
        return new BenchReport(settings, measurements);
    }

    private void measureAll() throws Exception {
        writeClassArchive();
        step("encoding " + settings.commands() + " commands");
        CommandLoad uniform = new CommandLoad(codec, "bench", settings.commands(), settings.aggregates(), false, true, "u");
        List<Double> producer = List.of();
        List<Double> bare = List.of();
        if (runs(BenchSettings.Part.PRODUCER)) {
            producer = repeat("producer ceiling", r -> {
                String topic = "bench-ceiling-" + (runCounter++);
                createTopics(List.of(topic));
                return uniform.produceAll(bootstrap, topic, settings.partitions(), i -> progress("producing", i, uniform.size()));
            });
            measurements.add(new Measurement("producer ceiling (plain producer, acks=all)", "records/s", producer, Map.of(), ""));
        }
        if (runs(BenchSettings.Part.BARE)) {
            List<Double> bareCpu = new ArrayList<>();
            bare = repeat("bare processor", r -> throughput("bare", uniform, StorageMode.EVENTS_AND_SNAPSHOTS, null, Map.of(), bareCpu));
            measurements.add(new Measurement("bare processor ceiling (RocksDB get/put, 2 writes, EOS v2)", "records/s", bare, Map.of(), ""));
            measurements.add(cpuPerThousand("bare processor", "records", bareCpu, ""));
        }
        if (runs(BenchSettings.Part.FLOOR)) {
            for (ContractFloorProcessor.Window floor : ContractFloorProcessor.Window.values()) {
                List<Double> floorCpu = new ArrayList<>();
                List<Double> floorRuns = repeat("contract floor, " + floor.description(),
                        r -> throughput(floor.kind(), uniform, StorageMode.EVENTS_AND_SNAPSHOTS, null, Map.of(), floorCpu));
                measurements.add(new Measurement("contract floor, " + floor.description(), "commands/s", floorRuns,
                        ratios(floorRuns, bare, producer), "the contract's records on Kafka Streams and nothing else (ContractFloorProcessor); "
                        + ratioNote(floorRuns, bare, producer)));
                measurements.add(cpuPerThousand("contract floor, " + floor.description() + ",", "commands", floorCpu, ""));
            }
            floorTakeover();
        }
        if (runs(BenchSettings.Part.THROUGHPUT)) {
            Map<String, Double> memory = new LinkedHashMap<>();
            List<Double> compared = new ArrayList<>();
            List<Double> comparedCpu = new ArrayList<>();
            List<Double> foldCpu = new ArrayList<>();
            List<Double> fold = repeat("foldstream throughput", r -> {
                if (!settings.compare().isEmpty()) {
                    compared.add(throughput("foldstream", uniform, StorageMode.EVENTS_AND_SNAPSHOTS, null, settings.compare(), comparedCpu));
                }
                return throughput("foldstream", uniform, StorageMode.EVENTS_AND_SNAPSHOTS, memory, Map.of(), foldCpu);
            });
            if (!compared.isEmpty()) {
                measurements.add(new Measurement("foldstream throughput with " + settings.compare(), "commands/s", compared,
                        ratios(compared, bare, producer), "run for run alternating with the default-settings runs below"));
                measurements.add(cpuPerThousand("foldstream with " + settings.compare(), "commands", comparedCpu,
                        "run for run alternating with the default-settings runs below"));
            }
            measurements.add(new Measurement("foldstream throughput (ex_accounts, default settings)", "commands/s", fold,
                    ratios(fold, bare, producer), ratioNote(fold, bare, producer)));
            measurements.add(cpuPerThousand("foldstream", "commands", foldCpu, ""));
            measurements.add(new Measurement("foldstream worker peak resident memory during throughput", "MiB",
                    List.of(memory.getOrDefault("peak", -1.0)), Map.of(), "VmHWM of the worker JVM, default heap settings"));
        }
        if (runs(BenchSettings.Part.SKEW)) {
            CommandLoad skewed = new CommandLoad(codec, "bench", settings.commands(), settings.aggregates(), true, true, "s");
            List<Double> skewCpu = new ArrayList<>();
            List<Double> skew = repeat("foldstream skewed throughput",
                    r -> throughput("foldstream", skewed, StorageMode.EVENTS_AND_SNAPSHOTS, null, Map.of(), skewCpu));
            measurements.add(new Measurement("foldstream throughput, 80 % of commands on 1 % of aggregates", "commands/s", skew,
                    ratios(skew, bare, producer), ratioNote(skew, bare, producer)));
            measurements.add(cpuPerThousand("foldstream, skewed,", "commands", skewCpu, ""));
        }
        if (runs(BenchSettings.Part.LATENCY)) {
            int latencyCommands = (int) Math.max(1, settings.rate() * (settings.latencyDuration().toSeconds() + warmUpSeconds()));
            CommandLoad paced = new CommandLoad(codec, "bench", latencyCommands,
                    Math.max(1, Math.min(settings.aggregates(), latencyCommands / 4)), false, true, "l");
            for (Map.Entry<String, Map<String, String>> setting : List.of(
                    Map.entry("default commit interval", Map.<String, String>of()), Map.entry("low-latency", settings.lowLatency()))) {
                for (String kind : List.of("bare", "foldstream")) {
                    latency(kind, setting.getKey(), setting.getValue(), paced);
                }
            }
        }
        if (runs(BenchSettings.Part.RESTORE)) {
            for (StorageMode mode : settings.modes()) {
                restore(mode);
            }
        }
        if (runs(BenchSettings.Part.PROJECTION)) {
            measurements.addAll(new ProjectionBench(settings, bootstrap, registryUrl, codec, progress).measure("proj" + (runCounter++)));
        }
        if (runs(BenchSettings.Part.LATENCY_CURVE)) {
            CommandLoad steps = new CommandLoad(codec, "bench", LatencyCurve.commandsNeeded(settings.latencyCurve()),
                    Math.min(settings.aggregates(), LatencyCurve.commandsNeeded(settings.latencyCurve())), false, true, "l");
            measurements.addAll(new LatencyCurve(settings, settings.latencyCurve(), bootstrap, steps,
                    (kind, properties) -> startWarm(kind, "c", properties), progress,
                    runs(BenchSettings.Part.FLOOR) ? List.of(ContractFloorProcessor.Window.OWN_STORE.kind()) : List.of()).measure());
        }
        if (runs(BenchSettings.Part.FAILOVER)) {
            measurements.addAll(new FailoverBench(settings.workDir(), settings.partitions(), settings.failover(), settings.childArchive(), progress).measure());
        }
        if (runs(BenchSettings.Part.SCALE)) {
            WorkerRuns workers = new WorkerRuns(settings, bootstrap, registryUrl, codec, progress);
            measurements.addAll(new ScaleOutBench(workers, settings.scale(), settings.repeats(), progress).measure(uniform, "u"));
        }
        if (runs(BenchSettings.Part.TYPES)) {
            WorkerRuns workers = new WorkerRuns(settings, bootstrap, registryUrl, codec, progress);
            measurements.addAll(new TypesBench(workers, settings.scale().types(), settings.partitions(), settings.repeats(), progress)
                    .measure(uniform, "u", settings.compare()));
            if (runs(BenchSettings.Part.FLOOR)) {
                // What the same types cost the contract's floor: how much of the many-types gap any implementation has.
                measurements.addAll(new TypesBench(workers.asContractFloor(), settings.scale().types(), settings.partitions(), settings.repeats(),
                        progress, "contract floor").measure(uniform, "u", Map.of()));
            }
        }
        if (runs(BenchSettings.Part.TRANSFERS)) {
            measurements.add(new TransfersBench(settings, bootstrap, registryUrl, codec, progress).measure());
        }
    }

    private boolean runs(BenchSettings.Part part) {
        return settings.parts().contains(part);
    }

    private static Map<String, Double> ratios(List<Double> measured, List<Double> bare, List<Double> producer) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        if (!bare.isEmpty()) {
            ratios.put("ratio to bare processor", Stats.median(measured) / Stats.median(bare));
        }
        if (!producer.isEmpty()) {
            ratios.put("ratio to producer", Stats.median(measured) / Stats.median(producer));
        }
        return ratios;
    }

    private static String ratioNote(List<Double> measured, List<Double> bare, List<Double> producer) {
        Map<String, Double> ratios = ratios(measured, bare, producer);
        StringBuilder note = new StringBuilder();
        ratios.forEach((name, value) -> note.append(note.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%.2f %s", value, name.replace("ratio ", ""))));
        return note.toString();
    }

    // ---- throughput

    /**
     * A throughput run: commands (records) per second from the first answer to the last, or from the
     * first after the warm-up ({@link WarmWindow}); adds to {@code cpuPerThousand} the child JVM's CPU
     * milliseconds per 1,000 of them over the same window.
     */
    private double throughput(String kind, CommandLoad load, StorageMode mode, Map<String, Double> memory,
                              Map<String, String> properties, List<Double> cpuPerThousand) throws Exception {
        String stream = kind.substring(0, 4) + "t" + (runCounter++);
        String output = createFor(kind, stream, mode);
        step(kind + ": producing " + load.size() + " commands to " + stream + "-commands");
        load.preProduce(bootstrap, stream + "-commands", i -> progress("producing", i, load.size()));
        try (ResultWatch watch = new ResultWatch(bootstrap, output);
             ChildProcess child = start(kind, stream, mode, "app-" + stream, properties)) {
            WarmWindow window = new WarmWindow(settings.warmUp());
            double[] cpuAtStart = {Double.NaN};
            watch.await(load.size(), STALL, seen -> {
                if (window.arrived(System.nanoTime(), seen)) {
                    cpuAtStart[0] = child.cpuSeconds(); // read with the answers that open the timed window
                }
                progress(kind + " processed", seen, load.size());
                if (seen % 20 == 0) {
                    child.checkAlive();
                }
            });
            double cpuAtLast = child.cpuSeconds();
            double perSecond = window.perSecond();
            if (window.timed() > 0 && !Double.isNaN(cpuAtLast - cpuAtStart[0])) {
                cpuPerThousand.add((cpuAtLast - cpuAtStart[0]) * 1e6 / window.timed());
            }
            if (memory != null) {
                memory.merge("peak", child.peakRssMib(), Math::max);
            }
            return perSecond;
        }
    }

    /** The child JVM's CPU per 1,000 commands or records of its throughput runs; a row saying why when the platform does not tell. */
    private Measurement cpuPerThousand(String what, String per, List<Double> cpuMillis, String note) {
        String name = what + " CPU per 1,000 " + per;
        if (cpuMillis.isEmpty()) {
            return Measurement.unavailable(name, "CPU ms", "the platform does not report the child's CPU time");
        }
        return new Measurement(name, "CPU ms", cpuMillis, Map.of(),
                (note.isEmpty() ? "" : note + "; ") + "user+system of the child JVM, " + timedWindow()
                + "; moves far less than commands/s with the machine's other load");
    }

    /** Which answers a throughput run times. */
    private String timedWindow() {
        return settings.warmUp().isZero() ? "first answer to last"
                : "first answer " + settings.warmUp().toSeconds() + " s or more after the first, to the last";
    }

    // ---- latency

    private void latency(String kind, String settingName, Map<String, String> properties, CommandLoad load) throws Exception {
        List<Double> p99s = new ArrayList<>();
        List<LatencySamples> runs = new ArrayList<>();
        for (int r = 0; r < settings.repeats(); r++) {
            step(kind + " latency (" + settingName + ") run " + (r + 1) + "/" + settings.repeats());
            LatencySamples run = latencyRun(kind, properties, load);
            runs.add(run);
            p99s.add(run.p99Millis());
        }
        double median = Stats.median(p99s);
        LatencySamples medianRun = runs.stream().filter(run -> run.p99Millis() == median).findFirst().orElse(runs.get(0));
        measurements.add(new Measurement(kind + " latency p99 at " + settings.rate() + "/s, " + settingName, "ms", p99s, medianRun.figures(),
                properties.isEmpty() ? "send to result, read_committed" : "send to result; " + properties,
                LatencyCharts.of(kind, settingName, medianRun)));
    }

    private LatencySamples latencyRun(String kind, Map<String, String> properties, CommandLoad load) throws Exception {
        int n = load.size();
        try (Started processor = startWarm(kind, "l", properties);
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            // The first seconds run on a cold JVM (class loading, JIT): offered, but not counted.
            LatencySamples samples = PacedLoad.offer(bootstrap, producer, processor.output(), processor.stream() + "-commands", load, 0, n,
                    settings.rate(), (int) Math.min(n - 1, (long) settings.rate() * warmUpSeconds()), STALL, processor.child(),
                    (what, done) -> progress(kind + " " + what, done, n));
            if (samples.unanswered() > 0) {
                throw new IllegalStateException(kind + ": only " + (n - samples.unanswered()) + " of " + n + " answered");
            }
            return samples;
        }
    }

    /** A processor under test on a stream of its own, every partition of which has answered once. */
    record Started(ChildProcess child, String stream, String output) implements AutoCloseable {
        @Override
        public void close() {
            child.close();
        }
    }

    /** Starts a processor ({@code bare} or {@code foldstream}) with these Kafka Streams settings on new topics, and warms it up. */
    Started startWarm(String kind, String letter, Map<String, String> properties) throws Exception {
        String stream = kind.substring(0, 4) + letter + (runCounter++);
        String output = createFor(kind, stream, StorageMode.EVENTS_AND_SNAPSHOTS);
        ChildProcess child = start(kind, stream, StorageMode.EVENTS_AND_SNAPSHOTS, "app-" + stream, properties);
        try (KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            warmUp(producer, stream, output, child);
        } catch (Exception | Error e) {
            child.close();
            throw e;
        }
        return new Started(child, stream, output);
    }

    /** One command per partition answered: the processor runs and owns every partition. */
    private void warmUp(KafkaProducer<byte[], byte[]> producer, String stream, String output, ChildProcess child) throws Exception {
        warmUp(producer, stream, output, child, STALL);
    }

    private void warmUp(KafkaProducer<byte[], byte[]> producer, String stream, String output, ChildProcess child, Duration limit)
            throws Exception {
        warmUp(producer, stream, output, child, limit, "warmup-");
    }

    /** Sends a new command to every partition, to aggregates and under ids that begin with {@code prefix}, and waits for their answers. */
    private void warmUp(KafkaProducer<byte[], byte[]> producer, String stream, String output, ChildProcess child, Duration limit,
                        String prefix) throws Exception {
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(stream + "-commands", Deposit.getClassSchema()), new Deposit(1L));
        List<byte[]> keys = keysForEveryPartition(prefix);
        Set<String> answered = new HashSet<>();
        long deadline = System.nanoTime() + limit.toNanos();
        // From the end: the output may hold earlier answers (a restore's history), and reading them would count as restore time.
        try (ResultWatch watch = new ResultWatch(bootstrap, output, true)) {
            for (byte[] key : keys) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(ContractHeaders.COMMAND_ID, (prefix + new String(key, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(stream + "-commands", null, key, value, headers));
            }
            producer.flush();
            watch.watch(() -> answered.size() == keys.size() || System.nanoTime() > deadline, (id, now) -> {
                if (id.startsWith(prefix)) {
                    answered.add(id);
                }
                child.checkAlive();
            });
        }
        if (answered.size() < keys.size()) {
            throw new IllegalStateException("only " + answered.size() + " of " + keys.size() + " partitions answered within " + limit);
        }
    }

    /** Seconds of load offered before latency counts: a third of the run, at most 10 s. */
    private long warmUpSeconds() {
        return Math.min(10, settings.latencyDuration().toSeconds() / 3);
    }

    // ---- the children's class archive

    /**
     * Before anything is timed, a worker of a type of its own starts as a plain JVM, answers a
     * command on every partition and writes the class archive ({@link ClassArchive}) as it exits;
     * every child after it starts from that archive, as a worker started by {@code ops/foldstream
     * worker} does from its second start on. Its own start is a row (the run's first worker JVM,
     * without the archive, nothing to restore).
     */
    private void writeClassArchive() throws Exception {
        ClassArchive archive = settings.childArchive();
        if (archive.file().isEmpty()) {
            return;
        }
        step("class archive: a worker starts once without it, and writes it as it exits");
        Files.createDirectories(archive.file().get().getParent());
        String stream = "archive" + (runCounter++);
        String output = createFor("foldstream", stream, StorageMode.EVENTS_AND_SNAPSHOTS);
        TakeoverStart start = TakeoverStart.now();
        Takeover plain;
        try (ChildProcess child = start("foldstream", stream, StorageMode.EVENTS_AND_SNAPSHOTS, "app-" + stream, Map.of(), archive.dumpOptions());
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            warmUp(producer, stream, output, child);
            plain = start.end(child);
        }
        String note = archive.written()
                ? "the run that wrote the class archive the child JVMs below start from ("
                        + String.format(Locale.ROOT, "%.0f MiB", Files.size(archive.file().get()) / 1048576.0) + ")"
                : "the JDK wrote no class archive: the child JVMs below start without one";
        // The run's first worker JVM, against a broker just started: a start without the archive, not one to compare closely.
        measurements.add(new Measurement("class archive: the training worker's start (the run's first worker, no archive)", "s",
                List.of(plain.seconds()), Map.of(), note));
        measurements.add(new Measurement("class archive: CPU seconds of the training worker's start", "s", List.of(plain.cpuSeconds()),
                Map.of(), ""));
    }

    // ---- restore

    /**
     * With {@code --compare}, each run is followed by one whose fresh instance gets those settings
     * (a stream and application of its own), and by an empty start with them, so the two alternate
     * run for run.
     */
    private void restore(StorageMode mode) throws Exception {
        List<Double> perMillion = new ArrayList<>();
        List<Double> compared = new ArrayList<>();
        List<Double> comparedEmptyStarts = new ArrayList<>();
        List<Double> emptyStarts = new ArrayList<>();
        List<Double> net = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> emptyCpu = new ArrayList<>();
        List<Double> benchCpu = new ArrayList<>();
        CommandLoad history = new CommandLoad(codec, "bench", settings.restoreEvents(), Math.min(settings.aggregates(), settings.restoreEvents()),
                false, false, "h");
        for (int r = 0; r < settings.repeats(); r++) {
            Takeover takeover = takeover("foldstream", mode, history, r, Map.of());
            double restored = takeover.seconds() * 1_000_000.0 / history.size();
            perMillion.add(restored);
            cpu.add(takeover.cpuSeconds());
            benchCpu.add(takeover.benchCpuSeconds());
            // The same takeover with nothing to restore: what of the figure above is starting at all.
            Takeover emptyTakeover = emptyStart("foldstream", mode, Map.of());
            double empty = emptyTakeover.seconds();
            emptyStarts.add(empty);
            emptyCpu.add(emptyTakeover.cpuSeconds());
            double restoreSeconds = restored * history.size() / 1_000_000.0;
            if (restoreSeconds > empty) {
                net.add(history.size() / (restoreSeconds - empty));
            }
            if (!settings.compare().isEmpty()) {
                compared.add(takeover("foldstream", mode, history, r, settings.compare()).seconds() * 1_000_000.0 / history.size());
                comparedEmptyStarts.add(emptyStart("foldstream", mode, settings.compare()).seconds());
            }
        }
        if (!compared.isEmpty()) {
            measurements.add(new Measurement("restore, " + mode + ", per 1,000,000 events, with " + settings.compare(), "s", compared,
                    Map.of(), "run for run alternating with the default-settings runs below"));
            measurements.add(new Measurement("restore, " + mode + ": a fresh instance with nothing to restore, with " + settings.compare(), "s",
                    comparedEmptyStarts, Map.of(), "run for run alternating with the default-settings runs below"));
        }
        measurements.add(new Measurement("restore, " + mode + ", per 1,000,000 events", "s", perMillion, Map.of(),
                "fresh instance (new JVM, empty state dir) until every partition answers"));
        measurements.add(new Measurement("restore, " + mode + ": a fresh instance with nothing to restore", "s", emptyStarts, Map.of(),
                "the same takeover of an application with no history (its first instance registered the schemas and its changelog topics exist): JVM, checks, group, stores, first commit"));
        if (!net.isEmpty()) {
            measurements.add(new Measurement("restore, " + mode + ", events/s net of that start-up", "events/s", net, Map.of(),
                    "events restored / (restore time - the empty instance's time), run by run"));
        }
        // CPU seconds say what the wall clock cannot on a shared machine: the child's own work.
        if (cpu.stream().noneMatch(seconds -> Double.isNaN(seconds))) {
            measurements.add(new Measurement("restore, " + mode + ": CPU seconds of the fresh instance", "s", cpu, Map.of(),
                    "the restoring child JVM's CPU time (all threads) from its start until every partition answered"));
            measurements.add(new Measurement("restore, " + mode + ": CPU seconds of the empty instance", "s", emptyCpu, Map.of(),
                    "the same for the fresh instance with nothing to restore"));
            // The broker serving the restore shares the machine's cores with the fresh instance.
            measurements.add(new Measurement("restore, " + mode + ": CPU seconds of the benchmark's JVM during the takeover", "s", benchCpu,
                    Map.of(), "the broker (when the benchmark started it) and the benchmark's clients, same span as the fresh instance's"));
        }
    }

    /**
     * A fresh instance's takeover: wall-clock seconds until every partition answered, the CPU seconds
     * it used until then, and those the benchmark's own JVM used meanwhile (the broker serving it).
     */
    private record Takeover(double seconds, double cpuSeconds, double benchCpuSeconds) {
    }

    /** Where a takeover's clocks stood when it began: the wall clock and the benchmark JVM's CPU. */
    private record TakeoverStart(long nanos, double benchCpuSeconds) {
        static TakeoverStart now() {
            return new TakeoverStart(System.nanoTime(), ChildProcess.cpuSeconds(ProcessHandle.current()));
        }

        /** The takeover of {@code fresh}, ended now. */
        Takeover end(ChildProcess fresh) {
            return new Takeover((System.nanoTime() - nanos) / 1e9, fresh.cpuSeconds(),
                    ChildProcess.cpuSeconds(ProcessHandle.current()) - benchCpuSeconds);
        }
    }

    /**
     * The restore target's floor: a fresh instance of the contract floor (answered commands in a store
     * of their own, so two changelogs as Foldstream's {@code EVENTS_AND_SNAPSHOTS}) taking over the
     * state of {@code --restore-events} commands, and one taking over nothing.
     */
    private void floorTakeover() throws Exception {
        CommandLoad history = new CommandLoad(codec, "bench", settings.restoreEvents(), Math.min(settings.aggregates(), settings.restoreEvents()),
                false, false, "h");
        List<Double> perMillion = new ArrayList<>();
        List<Double> empty = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int r = 0; r < settings.repeats(); r++) {
            String floor = ContractFloorProcessor.Window.OWN_STORE.kind();
            Takeover takeover = takeover(floor, StorageMode.EVENTS_AND_SNAPSHOTS, history, r, Map.of());
            perMillion.add(takeover.seconds() * 1_000_000.0 / history.size());
            cpu.add(takeover.cpuSeconds());
            empty.add(emptyStart(floor, StorageMode.EVENTS_AND_SNAPSHOTS, Map.of()).seconds());
        }
        measurements.add(new Measurement("contract floor takeover, per 1,000,000 commands' state", "s", perMillion, Map.of(),
                "a fresh floor instance (new JVM, empty state dir, two changelogs) until every partition answers"));
        measurements.add(new Measurement("contract floor takeover: CPU seconds of the fresh instance", "s", cpu, Map.of(), ""));
        measurements.add(new Measurement("contract floor takeover with nothing to restore", "s", empty, Map.of(), ""));
    }

    /**
     * How long until a fresh instance ({@code foldstream} or a floor, with {@code properties}) takes
     * over an application with no history and answers on every partition. The application's first
     * instance starts and leaves before, untimed: registering the type's schemas and waiting while
     * Kafka Streams creates the changelog topics are a new application's costs, which no takeover
     * pays. It answers one command per partition, so the takeover restores six records or so.
     */
    private Takeover emptyStart(String kind, StorageMode mode, Map<String, String> properties) throws Exception {
        String stream = (kind.equals("foldstream") ? "empt" : "flempt") + mode.name().toLowerCase(Locale.ROOT).replace("_", "") + (runCounter++);
        String app = "app-" + stream;
        String output = createFor(kind, stream, mode);
        try (ChildProcess first = start(kind, stream, mode, app, properties);
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            warmUp(producer, stream, output, first, STALL, "first-");
        }
        return timedTakeover(kind, stream, mode, app, properties, output, STALL);
    }

    /**
     * One restore: builds the state, then times a fresh instance of {@code kind} ({@code foldstream}
     * or a floor, with {@code properties}) until every partition answers.
     */
    private Takeover takeover(String kind, StorageMode mode, CommandLoad history, int r, Map<String, String> properties) throws Exception {
        String stream = (kind.equals("foldstream") ? "rest" : "flrest") + mode.name().toLowerCase(Locale.ROOT).replace("_", "") + (runCounter++);
        String app = "app-" + stream;
        String output = createFor(kind, stream, mode);
        step("restore " + mode + " run " + (r + 1) + ": building " + history.size() + " events' worth of state");
        if (mode == StorageMode.EVENTS_ONLY) {
            // The events are the whole record: written straight to S-events, the restore measures the rebuild alone.
            EventHistory.produce(codec, bootstrap, stream, history.size(), Math.min(settings.aggregates(), history.size()),
                    i -> progress("writing events", i, history.size()));
        } else {
            history.preProduce(bootstrap, stream + "-commands", i -> progress("producing", i, history.size()));
            try (ResultWatch watch = new ResultWatch(bootstrap, output);
                 ChildProcess first = start(kind, stream, mode, app, Map.of())) {
                watch.await(history.size(), STALL, seen -> progress("processed", seen, history.size()));
            }
        }
        step("restore " + mode + " run " + (r + 1) + ": a fresh instance takes over" + (properties.isEmpty() ? "" : " with " + properties));
        // A restore may take long: STALL plus a minute per million events.
        return timedTakeover(kind, stream, mode, app, properties, output, STALL.plusSeconds(60L * history.size() / 1_000_000));
    }

    /** Starts a fresh instance of {@code app} and times it until every partition answers a new command, within {@code limit}. */
    private Takeover timedTakeover(String kind, String stream, StorageMode mode, String app, Map<String, String> properties, String output,
                                   Duration limit) throws Exception {
        TakeoverStart start = TakeoverStart.now();
        try (ChildProcess fresh = start(kind, stream, mode, app, properties);
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0)) {
            warmUp(producer, stream, output, fresh, limit);
            return start.end(fresh);
        }
    }

    // ---- plumbing

    private ChildProcess start(String kind, String stream, StorageMode mode, String app, Map<String, String> properties) throws Exception {
        return start(kind, stream, mode, app, properties, settings.childArchive().jvmOptions());
    }

    private ChildProcess start(String kind, String stream, StorageMode mode, String app, Map<String, String> properties,
                               List<String> jvmOptions) throws Exception {
        Path state = settings.workDir().resolve("state").resolve(app + "-" + (runCounter++));
        return new ChildProcess(BenchChild.class, jvmOptions,
                BenchChild.args(kind, bootstrap, registryUrl, stream, mode, app, state, properties),
                settings.workDir().resolve("logs").resolve(app + ".log"));
    }

    /** Creates the topics of the run and returns the one whose records count as answers. */
    private String createFor(String kind, String stream, StorageMode mode) throws Exception {
        if (kind.equals("bare")) {
            createTopics(List.of(stream + "-commands", BareProcessor.output(stream), BareProcessor.second(stream)));
            return BareProcessor.output(stream);
        }
        if (ContractFloorProcessor.Window.ofKind(kind).isPresent()) {
            createTopics(ContractFloorProcessor.topics(stream));
            return ContractFloorProcessor.results(stream);
        }
        AggregateType<?> type = BenchChild.accounts(stream, mode);
        try (TopicAdmin admin = TopicAdmin.connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), TopicAdmin.DEFAULT_TIMEOUT)) {
            admin.ensure(List.of(type), settings.partitions(), TopicAdmin.DERIVED_REPLICATION);
        }
        return AggregateTopics.of(stream).results();
    }

    private void createTopics(List<String> names) throws Exception {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        try (TopicAdmin topics = new TopicAdmin(admin, bootstrap, TopicAdmin.DEFAULT_TIMEOUT)) {
            List<NewTopic> created = new ArrayList<>();
            names.forEach(name -> created.add(new NewTopic(name, settings.partitions(), (short) 1)));
            admin.createTopics(created).all().get();
            topics.awaitLeaders(names);
        }
    }

    /** Keys that the default partitioner (murmur2) sends to each partition, one per partition. */
    private List<byte[]> keysForEveryPartition(String prefix) {
        List<byte[]> keys = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; covered.size() < settings.partitions(); i++) {
            byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
            if (covered.add(Utils.toPositive(Utils.murmur2(key)) % settings.partitions())) {
                keys.add(key);
            }
        }
        return keys;
    }

    private interface Run {
        double measure(int repeat) throws Exception;
    }

    private List<Double> repeat(String what, Run run) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < settings.repeats(); r++) {
            step(what + " run " + (r + 1) + "/" + settings.repeats());
            values.add(run.measure(r));
        }
        return values;
    }

    private void step(String what) {
        progress.printf("%n[bench] %s%n", what);
    }

    private void progress(String what, int done, int total) {
        progress.printf("\r[bench]   %s %,d / %,d   ", what, done, total);
    }
}
