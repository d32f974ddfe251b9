package foldstream.ops.bench;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.topics.TopicAdmin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberAssignment;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;

/**
 * How long an aggregate's partition answers nothing after its worker dies. Three worker JVMs share
 * one type's partitions under a steady load; one is killed with SIGKILL ({@link Process#destroyForcibly()}
 * on Linux), and the part measures, per partition the dead worker owned (from the group's assignment
 * just before the kill), the time from the kill to the first result of a command sent after it, and
 * the time until every command sent before that is answered. The killed worker is restarted on its
 * state directory, the group settles, and the next kill follows. At the end every command must have
 * been answered exactly once ({@code read_committed}, by command id).
 *
 * <p>Each setting runs on a broker of its own, since some of what decides failover is the broker's
 * (its session timeout limits, how often it aborts timed-out transactions).
 */
final class FailoverBench {

    private static final int WORKERS = 3;
    private static final Duration SETTLE = Duration.ofSeconds(300);
    private static final Duration RECOVER = Duration.ofSeconds(180);
    private static final String ID_PREFIX = "f";

    private final Path workDir;
    private final int partitions;
    private final FailoverSettings failover;
    private final ClassArchive archive;
    private final PrintStream progress;
    private int runCounter;

    /** {@code archive}: the class archive the worker JVMs start from. */
    FailoverBench(Path workDir, int partitions, FailoverSettings failover, ClassArchive archive, PrintStream progress) {
        this.workDir = workDir;
        this.partitions = partitions;
        this.failover = failover;
        this.archive = archive;
        this.progress = progress;
    }

    /** Worker {@code w}'s state directory in the run's folder: under {@code state}, which the benchmark deletes after a run. */
    static Path workerState(Path runDir, int w) {
        return runDir.resolve("state").resolve("worker-" + w);
    }

    /** Two rows per setting: the first result on the dead worker's partitions, and catching up. */
    List<Measurement> measure() throws Exception {
        List<Measurement> rows = new ArrayList<>();
        for (FailoverSettings.Setting setting : failover.settings()) {
            rows.addAll(measure(setting));
        }
        return rows;
    }

    private List<Measurement> measure(FailoverSettings.Setting setting) throws Exception {
        String stream = "fail" + (runCounter++);
        Path dir = workDir.resolve("failover").resolve(stream);
        step("failover, " + setting.describe() + ": broker and registry of its own");
        try (KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(dir.resolve("broker")).withFreePorts()
                .withExtraProperties(setting.broker()))) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            try (SchemaRegistryServer registry = new SchemaRegistryServer(
                    new RegistryServerSettings(bootstrap, "127.0.0.1", 0, "_bench_schemas")).start();
                 HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientSettings.of(registry.url()));
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                try (TopicAdmin topics = TopicAdmin.connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), TopicAdmin.DEFAULT_TIMEOUT)) {
                    topics.ensure(List.of(BenchChild.accounts(stream, StorageMode.EVENTS_AND_SNAPSHOTS)), partitions, TopicAdmin.DERIVED_REPLICATION);
                }
                CommandLoad load = new CommandLoad(new AvroWireCodec(client, true), stream, 20_000, 1_000, false, true, ID_PREFIX);
                return new Run(setting, stream, dir, bootstrap, registry.url(), admin, load).measure();
            }
        }
    }

    /** One setting: its workers, load and kills. */
    private final class Run {

        private final FailoverSettings.Setting setting;
        private final String stream;
        private final String app;
        private final Path dir;
        private final String bootstrap;
        private final String registryUrl;
        private final Admin admin;
        private final CommandLoad load;
        private final FailoverTally tally;
        private final ChildProcess[] workers = new ChildProcess[WORKERS];

        Run(FailoverSettings.Setting setting, String stream, Path dir, String bootstrap, String registryUrl, Admin admin, CommandLoad load) {
            this.setting = setting;
            this.stream = stream;
            this.app = "app-" + stream;
            this.dir = dir;
            this.bootstrap = bootstrap;
            this.registryUrl = registryUrl;
            this.admin = admin;
            this.load = load;
            // Room for every kill to take four minutes, and two more for the start and the end.
            this.tally = new FailoverTally((int) Math.min(Integer.MAX_VALUE - 8, (long) failover.rate() * (240L * failover.kills() + 120)),
                    partitions);
        }

        List<Measurement> measure() throws Exception {
            List<Double> firstResult = new ArrayList<>();
            List<Double> caughtUp = new ArrayList<>();
            AtomicBoolean stopSending = new AtomicBoolean();
            AtomicBoolean stopWatching = new AtomicBoolean();
            Thread sender = new Thread(() -> send(stopSending), "bench-failover-send");
            Thread watcher = new Thread(() -> {
                try (ResultWatch watch = new ResultWatch(bootstrap, AggregateTopics.of(stream).results())) {
                    watch.watch(stopWatching::get, (id, now) -> tally.answered(commandIndex(id), now));
                }
            }, "bench-failover-watch");
            try {
                for (int w = 0; w < WORKERS; w++) {
                    workers[w] = startWorker(w);
                }
                watcher.start();
                sender.start();
                for (int k = 0; k < failover.kills(); k++) {
                    step("failover, " + setting.name() + ": kill " + (k + 1) + "/" + failover.kills() + ", waiting for a settled group");
                    Map<Integer, Integer> owners = settle();
                    int victim = victim(owners, k);
                    List<Integer> owned = owned(owners, victim);
                    step("failover: kill -9 worker " + victim + " (pid " + workers[victim].pid() + "), owner of partitions " + owned);
                    long killedAt = System.nanoTime();
                    tally.killed(killedAt);
                    workers[victim].kill();
                    long recovered = 0;
                    for (int p : owned) {
                        long first = awaitFirstAnswer(p, killedAt);
                        firstResult.add((first - killedAt) / 1e9);
                        recovered = Math.max(recovered, first);
                    }
                    long answered = awaitAllAnsweredOfSentBy(recovered).orElseThrow(() -> new IllegalStateException(
                            tally.unanswered() + " commands still unanswered " + RECOVER + " after the kill's partitions answered again"));
                    caughtUp.add((answered - killedAt) / 1e9);
                    progress.printf("%n[bench]   first results after %s s, every command answered after %.2f s%n",
                            firstResult.subList(firstResult.size() - owned.size(), firstResult.size()).stream()
                                    .map(s -> String.format(Locale.ROOT, "%.2f", s)).toList(), caughtUp.get(caughtUp.size() - 1));
                    workers[victim] = startWorker(victim);
                }
                settle();
                stopSending.set(true);
                sender.join();
                awaitAllAnsweredOfSentBy(Long.MAX_VALUE); // what is still unanswered then counts as lost
            } finally {
                stopSending.set(true);
                stopWatching.set(true);
                sender.join();
                watcher.join();
                for (ChildProcess worker : workers) {
                    if (worker != null) {
                        worker.close();
                    }
                }
            }
            int lost = tally.unanswered();
            int doubled = tally.doubled();
            String exactlyOnce = String.format(Locale.ROOT, "%,d commands at %d/s, %d lost, %d answered twice%s", tally.sent(),
                    failover.rate(), lost, doubled, lost + doubled == 0 ? "" : ": NOT EXACTLY ONCE");
            return List.of(
                    new Measurement("failover: kill -9 to first result on the dead worker's partitions, " + setting.name(), "s",
                            firstResult, Map.of(), minMedianMax(firstResult) + " s; " + failover.kills() + " kills of 1 of 3 workers, "
                                    + partitions + " partitions; " + settingNote()),
                    new Measurement("failover: kill -9 until every command sent meanwhile is answered, " + setting.name(), "s",
                            caughtUp, Map.of(), minMedianMax(caughtUp) + " s; " + exactlyOnce));
        }

        private String settingNote() {
            return setting.worker().isEmpty() && setting.broker().isEmpty() ? "broker with Kafka's defaults"
                    : "workers " + new TreeMap<>(setting.worker()) + (setting.broker().isEmpty() ? "" : ", broker " + new TreeMap<>(setting.broker()));
        }

        private ChildProcess startWorker(int w) throws Exception {
            Map<String, String> properties = new HashMap<>(setting.worker());
            properties.put("client.id", clientId(w));
            return new ChildProcess(BenchChild.class, archive.jvmOptions(), BenchChild.args("foldstream", bootstrap, registryUrl, stream,
                    StorageMode.EVENTS_AND_SNAPSHOTS, app, workerState(dir, w), properties),
                    workDir.resolve("logs").resolve(app + "-worker-" + w + ".log"));
        }

        private String clientId(int w) {
            return app + "-w" + w;
        }

        /** Paced: command i is due at start + i / rate, whatever the processors do meanwhile. */
        private void send(AtomicBoolean stop) {
            // One request in flight: just-created partitions bounce the first batches (see CommandLoad.producer).
            try (KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 0, 1)) {
                String topic = AggregateTopics.of(stream).commands();
                long start = System.nanoTime();
                long interval = 1_000_000_000L / failover.rate();
                for (int i = 0; i < tally.capacity() && !stop.get(); i++) {
                    long due = start + i * interval;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    byte[] key = load.keys[i % load.size()];
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(ContractHeaders.COMMAND_ID, (ID_PREFIX + i).getBytes(StandardCharsets.UTF_8));
                    tally.sent(i, Utils.toPositive(Utils.murmur2(key)) % partitions, System.nanoTime());
                    producer.send(new ProducerRecord<>(topic, null, key, load.values[i % load.size()], headers));
                }
            }
        }

        /**
         * Waits until the group is stable with all three workers, each partition assigned, and every
         * partition answering commands sent since; returns each partition's owner.
         */
        private Map<Integer, Integer> settle() {
            long deadline = System.nanoTime() + SETTLE.toNanos();
            long stableSince = 0;
            while (System.nanoTime() < deadline) {
                for (ChildProcess worker : workers) {
                    worker.checkAlive();
                }
                Map<Integer, Integer> owners = owners();
                if (owners.size() < partitions) {
                    stableSince = 0;
                } else if (stableSince == 0) {
                    stableSince = System.nanoTime();
                } else if (answeringSince(stableSince)) {
                    return owners;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            throw new IllegalStateException("the group of " + app + " did not settle with " + WORKERS + " workers within " + SETTLE);
        }

        private boolean answeringSince(long nanos) {
            for (int p = 0; p < partitions; p++) {
                if (tally.lastAnswerOn(p) < nanos) {
                    return false;
                }
            }
            return true;
        }

        /** Partition to worker from a stable group's assignment; empty while the group is not settled. */
        private Map<Integer, Integer> owners() {
            Map<Integer, Integer> owners = new HashMap<>();
            try {
                if ("streams".equalsIgnoreCase(setting.worker().get("group.protocol"))) {
                    StreamsGroupDescription group = admin.describeStreamsGroups(List.of(app)).all().get().get(app);
                    if (group.groupState() != GroupState.STABLE || group.members().size() != WORKERS) {
                        return Map.of();
                    }
                    for (StreamsGroupMemberDescription member : group.members()) {
                        if (!member.assignment().equals(member.targetAssignment())) {
                            return Map.of();
                        }
                        for (StreamsGroupMemberAssignment.TaskIds task : member.assignment().activeTasks()) {
                            task.partitions().forEach(p -> owners.put(p, worker(member.clientId())));
                        }
                    }
                } else {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(app)).all().get().get(app);
                    if (group.groupState() != GroupState.STABLE || group.members().size() != WORKERS) {
                        return Map.of();
                    }
                    for (MemberDescription member : group.members()) {
                        for (TopicPartition partition : member.assignment().topicPartitions()) {
                            if (partition.topic().equals(AggregateTopics.of(stream).commands())) {
                                owners.put(partition.partition(), worker(member.clientId()));
                            }
                        }
                    }
                }
            } catch (Exception e) {
                return Map.of(); // not there yet (the group forms as the workers start)
            }
            return owners.containsValue(-1) ? Map.of() : owners;
        }

        private int worker(String memberClientId) {
            for (int w = 0; w < WORKERS; w++) {
                if (memberClientId.startsWith(clientId(w) + "-")) {
                    return w;
                }
            }
            return -1;
        }

        /** Worker {@code kill % 3}, or the next one that owns a partition. */
        private int victim(Map<Integer, Integer> owners, int kill) {
            for (int i = 0; i < WORKERS; i++) {
                int w = (kill + i) % WORKERS;
                if (owners.containsValue(w)) {
                    return w;
                }
            }
            throw new IllegalStateException("no worker owns a partition: " + owners);
        }

        private List<Integer> owned(Map<Integer, Integer> owners, int worker) {
            return owners.entrySet().stream().filter(e -> e.getValue() == worker).map(Map.Entry::getKey).sorted().toList();
        }

        private long awaitFirstAnswer(int partition, long killedAt) {
            long deadline = killedAt + RECOVER.toNanos();
            while (System.nanoTime() < deadline) {
                OptionalLong first = tally.firstAnswerAfterKill(partition);
                if (first.isPresent()) {
                    return first.getAsLong();
                }
                progress.printf("\r[bench]   waiting for partition %d: %.1f s since the kill   ", partition, (System.nanoTime() - killedAt) / 1e9);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            throw new IllegalStateException("partition " + partition + " answered nothing within " + RECOVER + " of the kill");
        }

        /** When the last command sent by {@code sentBy} was answered; empty if one is still unanswered after {@link #RECOVER}. */
        private OptionalLong awaitAllAnsweredOfSentBy(long sentBy) {
            long deadline = System.nanoTime() + RECOVER.toNanos();
            OptionalLong last = tally.allAnsweredOfSentBy(sentBy);
            while (last.isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                last = tally.allAnsweredOfSentBy(sentBy);
            }
            return last;
        }
    }

    /** The number in a command id of this part ({@code f17}: 17), or -1 for any other id. */
    static int commandIndex(String commandId) {
        if (!commandId.startsWith(ID_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(commandId, ID_PREFIX.length(), commandId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String minMedianMax(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return String.format(Locale.ROOT, "min / median / max %.1f / %.1f / %.1f", min, Stats.median(values), max);
    }

    private void step(String what) {
        progress.printf("%n[bench] %s%n", what);
    }
}
