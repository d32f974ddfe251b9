package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.ops.stack.PostgresServer;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.projection.runtime.JdbcProjectionRunner;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDBC runner's batches on a real broker and PostgreSQL: every event of the test is on one
 * partition and written before the runner starts, so they reach it in one poll and are applied as
 * batches of many events. In the middle of them a handler throws, the database refuses a write (a
 * duplicate key) and an aggregate has a gap: each stops its own aggregate only, every other event
 * is applied exactly once and in order (an account's INSERT and its UPDATEs share a batch; the
 * balances are sums, so an event applied twice or lost would show), and the failing handler is
 * called once (the policy is {@code stop}: its attempt in the batch is its only one).
 */
@ExtendWith({KafkaStack.class, EmbeddedPostgres.class})
class JdbcBatchIT {

    private static final int ACCOUNTS = 30;
    private static final int DEPOSITS = 4;
    /** The deposit of this amount makes the handler throw. */
    private static final long THROWS = 13;
    /** The deposit of this amount makes the handler insert its account's row again: the database refuses it. */
    private static final long REFUSED = 666;

    @Test
    void aFailureARefusedWriteAndAGapInTheMiddleOfABatchStopOnlyTheirAggregates(KafkaStack.Endpoints stack, PostgresServer postgres)
            throws Exception {
        String run = "jbatch" + Long.toString(System.nanoTime(), 36);
        String stream = run + "_acc";
        String events = AggregateTopics.of(stream).events();
        String table = run + "_balances";
        String database = postgres.createDatabase(run);
        AtomicInteger thrown = new AtomicInteger();
        JdbcProjection projection = JdbcProjection.builder("balances")
                .follows(stream)
                .schema("CREATE TABLE IF NOT EXISTS " + table + " (id VARCHAR(50) PRIMARY KEY, balance BIGINT NOT NULL)")
                .on(AccountOpened.class, (opened, meta) -> List.of(SqlWrite.of("INSERT INTO " + table + " VALUES (?, 0)", meta.aggregateId())))
                .on(MoneyDeposited.class, (deposited, meta) -> {
                    if (deposited.getAmount() == THROWS) {
                        thrown.incrementAndGet();
                        throw new IllegalStateException("unlucky thirteen");
                    }
                    if (deposited.getAmount() == REFUSED) {
                        return List.of(SqlWrite.of("INSERT INTO " + table + " VALUES (?, 0)", meta.aggregateId()));
                    }
                    return List.of(SqlWrite.of("UPDATE " + table + " SET balance = balance + ? WHERE id = ?", deposited.getAmount(),
                            meta.aggregateId()));
                })
                .build();
        Map<String, Long> expectedBalances = new TreeMap<>();
        Map<String, String> expectedProgress = new TreeMap<>();
        int written = 0;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            for (int account = 0; account < ACCOUNTS; account++) {
                HandWrittenEvents.send(producer, codec, events, stream, id(account), 1, new AccountOpened("owner" + account));
                written++;
                expectedBalances.put(id(account), 0L);
                expectedProgress.put(id(account), "v" + (1 + DEPOSITS));
            }
            // Rounds of deposits, every account's interleaved with the others'; the trouble is in round 2 (version 3).
            for (int round = 1; round <= DEPOSITS; round++) {
                long version = round + 1;
                for (int account = 0; account < ACCOUNTS; account++) {
                    String id = id(account);
                    long amount = account * 100L + round;   // never 13 or 666
                    if (round == 2 && account == 5) {
                        amount = THROWS;
                        expectedProgress.put(id, "v2 stopped");
                    } else if (round == 2 && account == 15) {
                        amount = REFUSED;
                        expectedProgress.put(id, "v2 stopped");
                    } else if (round == 2 && account == 10) {
                        expectedProgress.put(id, "v2 stopped");
                        continue;   // version 3 is missing: a gap at version 4
                    }
                    HandWrittenEvents.send(producer, codec, events, stream, id, version, new MoneyDeposited(amount, 0L));
                    written++;
                    if (round == 1 && account == 20) {
                        HandWrittenEvents.send(producer, codec, events, stream, id, version, new MoneyDeposited(amount, 0L));   // a duplicate
                        written++;
                    }
                    if (expectedProgress.get(id).startsWith("v" + (1 + DEPOSITS))) {
                        expectedBalances.merge(id, amount, Long::sum);
                    }
                }
            }
            for (int stopped : List.of(5, 10, 15)) {
                expectedBalances.put(id(stopped), stopped * 100L + 1);   // the first deposit only
            }
            producer.flush();

            Map<String, Object> client = Map.of("bootstrap.servers", stack.bootstrapServers());
            ProjectionRuntime runtime = new ProjectionRuntime(run, client, client, codec, List.of(), EventUpcaster.NONE,
                    new HostInfo("127.0.0.1", 0));
            JdbcProjectionRunner runner = new JdbcProjectionRunner(projection, runtime, database, JdbcPositions.DEFAULT_TABLE);
            String end = Integer.toString(written);
            try {
                runner.start();
                await("every event projected").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> SqlRows.column(database, "SELECT COALESCE(SUM(next_offset), 0) FROM " + JdbcPositions.DEFAULT_TABLE
                                + " WHERE projection = 'balances-v1'").equals(List.of(end)));
            } finally {
                assertThat(runner.close(Duration.ofSeconds(30))).isTrue();
            }
        }
        List<String> balances = new ArrayList<>();
        expectedBalances.forEach((id, balance) -> balances.add(id + "=" + balance));
        assertThat(SqlRows.column(database, "SELECT id || '=' || balance FROM " + table + " ORDER BY id")).containsExactlyElementsOf(balances);
        List<String> progress = new ArrayList<>();
        expectedProgress.forEach((id, state) -> progress.add(id + " " + state));
        assertThat(SqlRows.column(database, "SELECT aggregate_id || ' v' || version || CASE WHEN stopped IS NULL THEN '' ELSE ' stopped' END FROM "
                + JdbcPositions.DEFAULT_TABLE + "_aggregates WHERE projection = 'balances-v1' ORDER BY aggregate_id"))
                .containsExactlyElementsOf(progress);
        assertThat(stopped(database, id(5)))
                .singleElement().asString().contains("unlucky thirteen");
        assertThat(stopped(database, id(15)))
                .singleElement().asString().contains("INSERT INTO " + table).contains("duplicate key");
        assertThat(stopped(database, id(10)))
                .singleElement().asString().contains("version 4").contains("version 3 is missing");
        assertThat(thrown.get()).as("the policy is stop: the attempt in the batch is the only one").isEqualTo(1);
    }

    private static List<String> stopped(String database, String id) throws Exception {
        return SqlRows.column(database, "SELECT stopped FROM " + JdbcPositions.DEFAULT_TABLE + "_aggregates WHERE aggregate_id = '" + id + "'");
    }

    private static String id(int account) {
        return String.format("a%02d", account);
    }
}
