package foldstream.ops.bench;

import foldstream.examples.accounts.Deposit;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.topics.TopicAdmin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;

/**
 * What the scale-out and many-types parts share: topics of {@code ex_accounts} types under
 * generated stream names, Foldstream workers (or the contract's floor) in JVMs of their own, warm-up
 * commands (one per partition) and a tally of the answers as they arrive.
 */
final class WorkerRuns {

    /** A run fails after this long without an answer. */
    static final Duration STALL = Duration.ofSeconds(120);
    static final String WARM_UP = "warmup-";

    private final BenchSettings settings;
    private final String bootstrap;
    private final String registryUrl;
    private final AvroWireCodec codec;
    private final PrintStream progress;
    /** What the child JVMs run: Foldstream workers, or the contract's floor ({@link ContractFloorProcessor}). */
    private final String kind;
    private int counter;

    WorkerRuns(BenchSettings settings, String bootstrap, String registryUrl, AvroWireCodec codec, PrintStream progress) {
        this(settings, bootstrap, registryUrl, codec, progress, "foldstream");
    }

    private WorkerRuns(BenchSettings settings, String bootstrap, String registryUrl, AvroWireCodec codec, PrintStream progress, String kind) {
        this.kind = kind;
        this.settings = settings;
        this.counter = settings.firstRunNumber();
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.codec = codec;
        this.progress = progress;
    }

    /** The same runs of the contract's floor, answered commands in a store of their own, instead of Foldstream workers. */
    WorkerRuns asContractFloor() {
        return new WorkerRuns(settings, bootstrap, registryUrl, codec, progress, ContractFloorProcessor.Window.OWN_STORE.kind());
    }

    String bootstrap() {
        return bootstrap;
    }

    /** A stream name no other run of this benchmark uses. */
    String newStream(String prefix) {
        // The floor's runs get names of their own: a run after Foldstream's must not meet its groups or state directories.
        return (kind.equals("foldstream") ? "" : "floor") + prefix + (counter++);
    }

    /** Creates every topic of the {@code ex_accounts} type under each stream name, {@code partitions} each. */
    void createTopics(List<String> streams, int partitions) throws Exception {
        if (!kind.equals("foldstream")) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                 TopicAdmin topics = new TopicAdmin(admin, bootstrap, TopicAdmin.DEFAULT_TIMEOUT)) {
                List<String> names = streams.stream().flatMap(s -> ContractFloorProcessor.topics(s).stream()).toList();
                admin.createTopics(names.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList()).all().get();
                topics.awaitLeaders(names);
            }
            return;
        }
        List<AggregateType<?>> types = streams.stream().<AggregateType<?>>map(s -> BenchChild.accounts(s, StorageMode.EVENTS_AND_SNAPSHOTS)).toList();
        try (TopicAdmin admin = TopicAdmin.connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), TopicAdmin.DEFAULT_TIMEOUT)) {
            admin.ensure(types, partitions, TopicAdmin.DERIVED_REPLICATION);
        }
    }

    /**
     * Deletes every topic whose name starts with one of the prefixes (a run's streams, its group's
     * internal topics), so that the next run finds the broker as this one did: a broker holding the
     * thousand partitions of an earlier 20-type run spent several times the CPU per command on the next.
     */
    void deleteTopics(List<String> prefixes) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<String> doomed = admin.listTopics().names().get().stream()
                    .filter(topic -> prefixes.stream().anyMatch(topic::startsWith)).toList();
            admin.deleteTopics(doomed).all().get();
        }
    }

    /** A worker with default settings running one {@code ex_accounts} type per stream name, in group {@code app}. */
    ChildProcess start(List<String> streams, String app) throws Exception {
        return start(streams, app, Map.of());
    }

    /** The same with these worker settings ({@code --property KEY=VALUE}). */
    ChildProcess start(List<String> streams, String app, Map<String, String> properties) throws Exception {
        String instance = app + "-" + (counter++);
        return new ChildProcess(BenchChild.class, settings.childArchive().jvmOptions(),
                BenchChild.args(kind, bootstrap, registryUrl, String.join(",", streams), StorageMode.EVENTS_AND_SNAPSHOTS, app,
                        settings.workDir().resolve("state").resolve(instance), properties),
                settings.workDir().resolve("logs").resolve(instance + ".log"));
    }

    /** The topics whose records answer the streams' commands. */
    List<String> results(List<String> streams) {
        return streams.stream().map(s -> kind.equals("foldstream") ? AggregateTopics.of(s).results() : ContractFloorProcessor.results(s)).toList();
    }

    /** One deposit per partition of each stream's commands topic (keys the default partitioner sends there). */
    List<ProducerRecord<byte[], byte[]>> warmUps(List<String> streams, int partitions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String stream : streams) {
            String topic = AggregateTopics.of(stream).commands();
            byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, Deposit.getClassSchema()), new Deposit(1L));
            Set<Integer> covered = new HashSet<>();
            for (int i = 0; covered.size() < partitions; i++) {
                byte[] key = ("warmup-" + i).getBytes(StandardCharsets.UTF_8);
                if (covered.add(Utils.toPositive(Utils.murmur2(key)) % partitions)) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(ContractHeaders.COMMAND_ID, (WARM_UP + stream + "-" + i).getBytes(StandardCharsets.UTF_8));
                    records.add(new ProducerRecord<>(topic, null, key, value, headers));
                }
            }
        }
        return records;
    }

    static Set<String> ids(List<ProducerRecord<byte[], byte[]>> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(r -> ids.add(new String(r.headers().lastHeader(ContractHeaders.COMMAND_ID).value(), StandardCharsets.UTF_8)));
        return ids;
    }

    /** {@link #await(ResultWatch, Set, List, Duration)} with {@link #STALL}. */
    long await(ResultWatch watch, Set<String> warmUps, List<ChildProcess> workers) {
        return await(watch, warmUps, workers, STALL);
    }

    /**
     * Reads answers until every id of {@code warmUps} has arrived; fails when a worker exits or
     * nothing arrives for {@code stall}.
     *
     * @return when the last of them arrived ({@link System#nanoTime()})
     */
    long await(ResultWatch watch, Set<String> warmUps, List<ChildProcess> workers, Duration stall) {
        Set<String> waiting = new HashSet<>(warmUps);
        long[] warmedUp = {System.nanoTime()};
        await(watch, "partitions warm", waiting::remove, warmUps.size(), workers, stall, (now, seen) -> warmedUp[0] = now);
        return warmedUp[0];
    }

    /**
     * Reads answers until {@code count} of them are {@code awaited}, telling {@code each} when each
     * of those arrived and how many have in all; fails when a worker exits or nothing arrives for
     * {@code stall}.
     */
    private void await(ResultWatch watch, String what, Predicate<String> awaited, int count, List<ChildProcess> workers,
                       Duration stall, Arrival each) {
        long[] times = {System.nanoTime(), 0}; // last answer of any kind, last progress line
        int[] seen = new int[1];
        watch.watch(() -> {
            workers.forEach(ChildProcess::checkAlive);
            long now = System.nanoTime();
            if (now - times[0] > stall.toNanos()) {
                throw new IllegalStateException("no answer for " + stall.toSeconds() + " s; " + (count - seen[0]) + " of "
                        + count + " " + what + " unanswered");
            }
            if (now - times[1] > 1_000_000_000L) {
                times[1] = now;
                progress.printf("\r[bench]   %s %,d / %,d   ", what, seen[0], count);
            }
            return seen[0] >= count;
        }, (id, now) -> {
            times[0] = now;
            if (awaited.test(id)) {
                seen[0]++;
                each.arrived(now, seen[0]);
            }
        });
    }

    /**
     * Produces the load (command {@code i} to {@code topicOf.apply(i)}) beside the watch, so that
     * answers are timed as they arrive, not when a producer lets go, and returns when every answer
     * has arrived: timed from the first, or from the first after the benchmark's {@code --warm-up}
     * ({@link WarmWindow}). With a warm-up, {@code atWindowStart} runs when the timed window opens,
     * to read the CPU clocks there; without one it does not run, and CPU counts from the load's start
     * (a small load's answers can all arrive within a tick of the CPU clocks).
     *
     * @return the window the answers were timed in
     */
    WarmWindow produceAndAwait(CommandLoad load, IntFunction<String> topicOf, ResultWatch watch, String idPrefix,
                               List<ChildProcess> workers, Runnable atWindowStart) throws InterruptedException {
        RuntimeException[] failed = new RuntimeException[1];
        Thread producing = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 5, 1)) {
                for (int i = 0; i < load.size(); i++) {
                    producer.send(load.record(topicOf.apply(i), i));
                }
                producer.flush();
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "bench-load");
        producing.start();
        WarmWindow window = new WarmWindow(settings.warmUp());
        try {
            await(watch, "answered", id -> id.startsWith(idPrefix), load.size(), workers, STALL, (now, seen) -> {
                if (window.arrived(now, seen) && !settings.warmUp().isZero()) {
                    atWindowStart.run();
                }
            });
            return window;
        } finally {
            producing.join();
            if (failed[0] != null) {
                throw failed[0];
            }
        }
    }

    /** An awaited answer: when it arrived ({@link System#nanoTime()}), and how many have arrived in all. */
    private interface Arrival {
        void arrived(long nanos, int seen);
    }

    /** Sends the records and waits for their acknowledgements. */
    void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 5, 1)) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /**
     * Waits until the group {@code app} has at least {@code members} members, each with work
     * assigned, and is stable: every worker runs before the load starts. Classic groups (Kafka
     * Streams' default protocol) and {@code group.protocol=streams} groups alike.
     */
    void awaitGroup(String app, int members, List<ChildProcess> workers) throws Exception {
        long deadline = System.nanoTime() + STALL.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (!groupReady(admin, app, members)) {
                workers.forEach(ChildProcess::checkAlive);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group " + app + " did not settle with " + members + " members within " + STALL);
                }
                progress.printf("\r[bench]   waiting for %d workers in group %s   ", members, app);
                Thread.sleep(200); // polling the group coordinator, not synchronizing threads
            }
        }
    }

    private static boolean groupReady(Admin admin, String app, int members) throws Exception {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(app)).all().get().get(app);
            if (group.groupState() == GroupState.STABLE && group.members().size() >= members) {
                return group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            }
            if (group.groupState() != GroupState.DEAD) {
                return false;
            }
        } catch (ExecutionException e) {
            // not a classic or consumer group: a streams group, below
        }
        try {
            StreamsGroupDescription group = admin.describeStreamsGroups(List.of(app)).all().get().get(app);
            return group.groupState() == GroupState.STABLE && group.members().size() >= members
                    && group.members().stream().allMatch(m -> !m.assignment().activeTasks().isEmpty());
        } catch (ExecutionException e) {
            return false;
        }
    }

    Path workDir() {
        return settings.workDir();
    }
}
