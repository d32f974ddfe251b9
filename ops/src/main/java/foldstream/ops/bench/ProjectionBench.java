package foldstream.ops.bench;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.ops.stack.PostgresServer;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.runtime.EmbeddedProjectionRunner;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import foldstream.worker.topics.TopicAdmin;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark's projection part: on one events topic of {@code ex_accounts} written once (an
 * {@code AccountOpened} per account, then deposits, by {@link EventHistory}), in one run,
 * <ul>
 *   <li>a plain consumer ({@code read_committed}, this JVM) reads the topic from the beginning to
 *       its end offsets, decoding every value with the project's {@link AvroWireCodec} into its
 *       specific record class: the ceiling of reading and decoding;</li>
 *   <li>the embedded runner ({@code account-summaries}, Kafka Streams, {@code exactly_once_v2},
 *       RocksDB) catches up from the first event in a JVM of its own;</li>
 *   <li>the JDBC runner ({@code account-balances}) catches up into a fresh database of a real
 *       PostgreSQL ({@link PostgresServer}) in a JVM of its own; where PostgreSQL cannot start,
 *       the row says so and why.</li>
 * </ul>
 * "Applied" is read from each runner's own position, from outside its JVM, so that watching costs
 * the runner nothing: the embedded runner's committed offsets (under exactly-once an offset is
 * committed in the transaction that wrote the states) through the admin API; the JDBC runner's
 * position table, moved in the transaction of the writes. Events/s count from the moment the
 * runner's consumer group is stable (joined, partitions assigned) to the moment every partition's
 * position is at its end; catch-up time counts from the launch of the JVM (empty state) to then.
 */
final class ProjectionBench {

    /** No position moved for this long: the runner is stuck, the run fails naming its log. */
    private static final Duration STALL = Duration.ofSeconds(120);
    private static final long POLL_NANOS = 100_000_000L;

    private final BenchSettings settings;
    private final String bootstrap;
    private final String registryUrl;
    private final AvroWireCodec codec;
    private final PrintStream progress;

    ProjectionBench(BenchSettings settings, String bootstrap, String registryUrl, AvroWireCodec codec, PrintStream progress) {
        this.settings = settings;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.codec = codec;
        this.progress = progress;
    }

    /** Writes the events once, then measures the three readers of them; the rows, plain consumer first. */
    List<Measurement> measure(String stream) throws Exception {
        int events = settings.projection().events();
        int aggregates = Math.min(settings.aggregates(), events);
        String topic = AggregateTopics.of(stream).events();
        try (TopicAdmin admin = TopicAdmin.connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), TopicAdmin.DEFAULT_TIMEOUT)) {
            admin.ensure(List.of(BenchChild.accounts(stream, StorageMode.EVENTS_ONLY)), settings.partitions(), TopicAdmin.DERIVED_REPLICATION);
        }
        step("projection: writing " + events + " events of " + aggregates + " accounts to " + topic);
        EventHistory.produce(codec, bootstrap, stream, events, aggregates, i -> progress("writing events", i, events));
        Map<TopicPartition, Long> ends = endOffsets(topic);

        List<Measurement> rows = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> embeddedRate = new ArrayList<>();
        List<Double> embeddedCatchUp = new ArrayList<>();
        List<Double> jdbcRate = new ArrayList<>();
        List<Double> jdbcCatchUp = new ArrayList<>();
        Map<String, Double> memory = new LinkedHashMap<>();
        Optional<String> noPostgres = Optional.empty();
        PostgresServer postgres = null;
        try {
            try {
                postgres = PostgresServer.start();
            } catch (RuntimeException e) {
                noPostgres = Optional.of(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
                step("projection: PostgreSQL cannot start, the JDBC runner is not measured: " + noPostgres.get());
            }
            for (int r = 0; r < settings.repeats(); r++) {
                step("projection run " + (r + 1) + "/" + settings.repeats() + ": plain consumer");
                plain.add(plainConsumer(ends));
                step("projection run " + (r + 1) + "/" + settings.repeats() + ": embedded runner");
                CatchUp embedded = runner(ProjectionChild.Kind.EMBEDDED, stream, r, ends, Optional.empty());
                embeddedRate.add(embedded.perSecond());
                embeddedCatchUp.add(embedded.secondsPerMillion());
                memory.merge("embedded", embedded.peakRssMib(), Math::max);
                if (postgres != null) {
                    step("projection run " + (r + 1) + "/" + settings.repeats() + ": JDBC runner into PostgreSQL");
                    String url = postgres.createDatabase("bench_projection_" + r);
                    CatchUp jdbc = runner(ProjectionChild.Kind.JDBC, stream, r, ends, Optional.of(url));
                    checkBalances(url, aggregates);
                    jdbcRate.add(jdbc.perSecond());
                    jdbcCatchUp.add(jdbc.secondsPerMillion());
                    memory.merge("jdbc", jdbc.peakRssMib(), Math::max);
                }
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
        String of = String.format(Locale.ROOT, "%,d ex_accounts events", events);
        rows.add(new Measurement("projection source: plain consumer reads and decodes " + of, "events/s", plain, Map.of(),
                "read_committed, every value Avro-decoded into its record class"));
        rows.add(new Measurement("projection catch-up, embedded (account-summaries, EOS v2)", "events/s", embeddedRate,
                toPlain(embeddedRate, plain, memory.get("embedded")), note(embeddedRate, plain, memory.get("embedded"))));
        rows.add(new Measurement("projection catch-up time, embedded, per 1,000,000 events", "s", embeddedCatchUp, Map.of(),
                "fresh JVM and state until every partition's committed offset is at its end"));
        if (noPostgres.isPresent()) {
            rows.add(Measurement.unavailable("projection catch-up, JDBC (account-balances into PostgreSQL)", "events/s",
                    "PostgreSQL could not start: " + noPostgres.get()));
        } else {
            rows.add(new Measurement("projection catch-up, JDBC (account-balances into PostgreSQL)", "events/s", jdbcRate,
                    toPlain(jdbcRate, plain, memory.get("jdbc")), note(jdbcRate, plain, memory.get("jdbc"))));
            rows.add(new Measurement("projection catch-up time, JDBC into PostgreSQL, per 1,000,000 events", "s", jdbcCatchUp, Map.of(),
                    "fresh JVM and database until every partition's stored position is at its end"));
        }
        return rows;
    }

    private static Map<String, Double> toPlain(List<Double> measured, List<Double> plain, double peakMib) {
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("ratio to plain consumer", Stats.median(measured) / Stats.median(plain));
        details.put("peak resident MiB", peakMib);
        return details;
    }

    private static String note(List<Double> measured, List<Double> plain, double peakMib) {
        return String.format(Locale.ROOT, "%.2f of the plain consumer; peak RSS %.0f MiB", Stats.median(measured) / Stats.median(plain),
                peakMib);
    }

    // ---- the plain consumer

    /** Reads every partition from the beginning to {@code ends}, decoding each value; events/s. */
    private double plainConsumer(Map<TopicPartition, Long> ends) {
        Map<String, Class<? extends SpecificRecord>> types = Map.of(
                AccountOpened.getClassSchema().getFullName(), AccountOpened.class,
                MoneyDeposited.getClassSchema().getFullName(), MoneyDeposited.class,
                MoneyWithdrawn.getClassSchema().getFullName(), MoneyWithdrawn.class);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        long read = 0;
        long unreadable = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long lastMove = System.nanoTime();
            while (!ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
                int before = (int) read;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!(codec.decode(record.value(), types) instanceof Decoded.Record)) {
                        unreadable++;
                    }
                    read++;
                }
                if (read != before) {
                    lastMove = System.nanoTime();
                    progress("plain consumer read", (int) read, (int) total);
                } else if (System.nanoTime() - lastMove > STALL.toNanos()) {
                    throw new IllegalStateException("the plain consumer read nothing for " + STALL + " at " + read + " of " + total);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (unreadable > 0) {
            throw new IllegalStateException(unreadable + " of the benchmark's own events did not decode");
        }
        return read / seconds;
    }

    // ---- the runners

    /** One catch-up: the rate from the group's first stable moment, the time from launch, the child's peak memory. */
    private record CatchUp(double perSecond, double secondsPerMillion, double peakRssMib) {
    }

    private CatchUp runner(ProjectionChild.Kind kind, String stream, int run, Map<TopicPartition, Long> ends, Optional<String> jdbcUrl)
            throws Exception {
        String app = "app-" + stream + "-" + kind.name().toLowerCase(Locale.ROOT) + run;
        Projection projection = ProjectionChild.projection(kind, stream);
        String group = EmbeddedProjectionRunner.applicationId(app, projection.name(), projection.version());
        Path state = settings.workDir().resolve("state").resolve(app);
        Position position = jdbcUrl.isPresent() ? new TablePosition(jdbcUrl.get(), projection.id()) : new CommittedOffsets(bootstrap, group);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        try (position; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long launched = System.nanoTime();
            try (ChildProcess child = new ChildProcess(ProjectionChild.class, settings.childArchive().jvmOptions(), ProjectionChild.args(kind, bootstrap, registryUrl, stream, app,
                    state.toString(), jdbcUrl), settings.workDir().resolve("logs").resolve(app + ".log"))) {
                long stable = 0;
                long applied = -1;
                long lastMove = System.nanoTime();
                while (true) {
                    child.checkAlive();
                    if (stable == 0 && stable(admin, group)) {
                        stable = System.nanoTime();
                    }
                    Map<TopicPartition, Long> at = position.read();
                    long now = at.values().stream().mapToLong(Long::longValue).sum();
                    if (ends.entrySet().stream().allMatch(end -> at.getOrDefault(end.getKey(), 0L) >= end.getValue())) {
                        long done = System.nanoTime();
                        // A tiny input can be done before the group was seen stable: then from the launch.
                        double seconds = (done - (stable == 0 ? launched : stable)) / 1e9;
                        return new CatchUp(total / seconds, (done - launched) / 1e9 * 1_000_000.0 / total, child.peakRssMib());
                    }
                    if (now != applied) {
                        applied = now;
                        lastMove = System.nanoTime();
                        progress(kind.name().toLowerCase(Locale.ROOT) + " applied", (int) now, (int) total);
                    } else if (System.nanoTime() - lastMove > STALL.toNanos()) {
                        throw new IllegalStateException("the " + kind + " runner applied nothing for " + STALL + " at " + now + " of " + total
                                + "; see " + settings.workDir().resolve("logs").resolve(app + ".log"));
                    }
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
        }
    }

    private static boolean stable(Admin admin, String group) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            return description.groupState() == GroupState.STABLE && !description.members().isEmpty();
        } catch (Exception e) {
            return false;   // not there yet
        }
    }

    /** How far a runner got, per partition of the events topic: the next offset to apply. */
    private interface Position extends AutoCloseable {
        Map<TopicPartition, Long> read() throws Exception;

        @Override
        void close() throws Exception;
    }

    /** The embedded runner's committed offsets: under exactly-once, committed with the states they produced. */
    private static final class CommittedOffsets implements Position {
        private final Admin admin;
        private final String group;

        CommittedOffsets(String bootstrap, String group) {
            this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            this.group = group;
        }

        @Override
        public Map<TopicPartition, Long> read() throws Exception {
            Map<TopicPartition, Long> at = new LinkedHashMap<>();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    at.put(partition, offset.offset());
                }
            });
            return at;
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    /** The JDBC runner's position table, moved in the transaction of the writes it covers. */
    private static final class TablePosition implements Position {
        private final Connection connection;
        private final String projection;

        TablePosition(String jdbcUrl, String projection) throws SQLException {
            this.connection = DriverManager.getConnection(jdbcUrl);
            this.projection = projection;
            // Created here as the runner would (idempotent): the watch reads it before the runner starts.
            new JdbcPositions(JdbcPositions.DEFAULT_TABLE).createTables(connection);
        }

        @Override
        public Map<TopicPartition, Long> read() throws SQLException {
            Map<TopicPartition, Long> at = new LinkedHashMap<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT topic, partition_no, next_offset FROM " + JdbcPositions.DEFAULT_TABLE + " WHERE projection = ?")) {
                select.setString(1, projection);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        at.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                    }
                }
            }
            return at;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /** Every account has its row: the runner applied the events, not merely moved past them. */
    private static void checkBalances(String jdbcUrl, int aggregates) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + ExampleProjections.BALANCES_TABLE)) {
            rows.next();
            if (rows.getLong(1) != aggregates) {
                throw new IllegalStateException("the JDBC runner reached the end with " + rows.getLong(1) + " of " + aggregates + " accounts");
            }
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    private void step(String what) {
        progress.printf("%n[bench] %s%n", what);
    }

    private void progress(String what, int done, int total) {
        progress.printf("\r[bench]   %s %,d / %,d   ", what, done, total);
    }
}
