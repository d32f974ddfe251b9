package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.ops.stack.PostgresServer;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both projection runners in worker processes on a real broker and a real PostgreSQL: two workers
 * run the example types and projections (user-directory and account-summaries embedded,
 * account-balances into PostgreSQL); read-your-writes across the boundary, from either instance;
 * then a few hundred account commands, and one worker killed with SIGKILL in the middle of them.
 * Afterwards every account's row in PostgreSQL and its entry in the embedded store equal the fold of
 * its events (the projections compute the balance themselves, so an event applied twice or missed
 * would show), and every event was applied once (the count of events applied is the version).
 */
@ExtendWith({KafkaStackPerClass.class, EmbeddedPostgres.class})
class ProjectionsIT {

    private static final String ACCOUNTS = "ex_accounts";
    private static final int ACCOUNT_COUNT = 30;
    private static final int COMMANDS = 300;
    private static final Duration READY = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(ProjectionsIT.class);

    @Test
    void projectionsAreExactlyOnceThroughAKillAndAnswerReadYourWrites(KafkaStack.Endpoints stack, PostgresServer postgres)
            throws Exception {
        String run = "proj-" + Long.toString(System.nanoTime(), 36);
        String database = postgres.createDatabase(run.replace('-', '_'));
        WorkerProcess a = workers.start(worker(stack, run, "a", database));
        WorkerProcess b = workers.start(worker(stack, run, "b", database));
        a.awaitReady(READY);
        b.awaitReady(READY);

        // Read-your-writes: ACCEPTED at version 2 on one instance, then the directory (keyed by e-mail) asked on both.
        String email = run + "@example.com";
        FacadeHttp.Reply registered = FacadeHttp.post(a.httpPort(), "/aggregates/ex_users/" + run + "-u1/commands/RegisterUser",
                "{\"email\":\"" + email + "\",\"name\":\"Ann Smith\"}");
        assertThat(registered.status()).as(registered.body()).isEqualTo(200);
        long version = JSON.readTree(registered.body()).path("version").asLong();
        assertThat(version).isEqualTo(2);
        for (WorkerProcess via : List.of(a, b)) {
            JsonNode entry = awaitProjection(via, "user-directory", email, "?aggregate=" + run + "-u1&minVersion=" + version + "&waitMs=30000");
            assertThat(entry.path("state").path("userId").asText()).isEqualTo(run + "-u1");
            assertThat(entry.path("state").path("name").asText()).isEqualTo("Ann Smith");
            assertThat(entry.path("applied").path("version").asLong()).isEqualTo(2);
        }
        HttpResponse<String> free = a.get("/projections/user-directory/" + encode("nobody-" + email));
        assertThat(free.statusCode()).as(free.body()).isEqualTo(404);
        assertThat(JSON.readTree(free.body()).path("error").asText()).isEqualTo("NO_SUCH_KEY");

        // A few hundred account commands; a is killed in the middle of them.
        List<SteadyLoad.Command> supply = commands(run, new Random(run.hashCode()));
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             CommittedTopic.Tail results = CommittedTopic.follow(stack.bootstrapServers(), AggregateTopics.of(ACCOUNTS).results(),
                     r -> ExactlyOnceChecks.key(r).startsWith(run))) {
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            try (SteadyLoad load = SteadyLoad.start(stack.bootstrapServers(), codec, AggregateTopics.of(ACCOUNTS).commands(), supply, 5,
                    Duration.ofMillis(50))) {
                await("results coming").atMost(Duration.ofSeconds(90)).until(() -> results.counted() >= COMMANDS / 3);
                a.kill();
                // stop() ends the load where it is: every command goes out first, while b takes over.
                await("every command sent").atMost(Duration.ofMinutes(2)).until(() -> load.sent() >= COMMANDS);
                List<SteadyLoad.Command> sent = load.stop(Duration.ofMinutes(2));
                assertThat(sent).hasSize(COMMANDS);
            }
            await("a result for every command").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> results.counted() >= COMMANDS);
            CommittedTopic.awaitNoOpenTransactions(stack.bootstrapServers(), List.of(AggregateTopics.of(ACCOUNTS).events()),
                    Duration.ofSeconds(60));
            Map<String, long[]> fold = fold(CommittedTopic.readAll(stack.bootstrapServers(), AggregateTopics.of(ACCOUNTS).events()), run);
            assertThat(fold).hasSize(ACCOUNT_COUNT);

            // PostgreSQL: owner, balance and version of every account equal the fold, no row more.
            await("account-balances in PostgreSQL equal the fold of the events").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(balances(database, run)).isEqualTo(expected(fold)));
            assertPositionsCoverEveryPartition(database);

            // The embedded store, read through the survivor (asked for each account's last version).
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, long[]> account : fold.entrySet()) {
                long last = account.getValue()[1];
                JsonNode entry = awaitProjection(b, "account-summaries", account.getKey(),
                        "?aggregate=" + encode(account.getKey()) + "&minVersion=" + last + "&waitMs=30000").path("state");
                if (entry.path("balance").asLong() != account.getValue()[0] || entry.path("version").asLong() != last
                        || entry.path("eventsApplied").asLong() != last || !entry.path("owner").asText().equals("owner of " + account.getKey())) {
                    problems.add(account.getKey() + ": served " + entry + ", the fold is balance " + account.getValue()[0]
                            + " at version " + last);
                }
            }
            assertThat(problems).as("embedded summaries that differ from the fold").isEmpty();
            assertStatusShowsEveryPartitionCaughtUp(stack, run);
        }
        assertThat(b.terminate(Duration.ofSeconds(60))).as("exit status of b after SIGTERM").isZero();

        // With every instance stopped, an in-place reset forgets the JDBC projection's positions.
        java.io.StringWriter out = new java.io.StringWriter();
        int status = foldstream.ops.cli.FoldstreamCli.commandLine(Map.of(), foldstream.ops.cli.RegistryWiring.current())
                .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(out, true))
                .execute("projection", "reset", "account-balances", "--in-place", "--yes", "--application-id", run,
                        "--jdbc-url", database, "--bootstrap-servers", stack.bootstrapServers());
        assertThat(status).as(out.toString()).isZero();
        assertThat(out.toString()).contains("deleted the consumer group " + run + "-projection-account-balances-v1");
        try (Connection connection = java.sql.DriverManager.getConnection(database); Statement statement = connection.createStatement();
             ResultSet left = statement.executeQuery("SELECT COUNT(*) FROM " + JdbcPositions.DEFAULT_TABLE
                     + " WHERE projection = 'account-balances-v1'")) {
            assertThat(left.next()).isTrue();
            assertThat(left.getInt(1)).isZero();
        }
    }

    /** Opens each account first, then deposits and withdrawals (some beyond the balance: refused, no event). */
    private static List<SteadyLoad.Command> commands(String run, Random random) {
        List<SteadyLoad.Command> commands = new ArrayList<>();
        Set<String> opened = new HashSet<>();
        for (int i = 0; commands.size() < COMMANDS; i++) {
            String account = run + "-acc" + (i < ACCOUNT_COUNT ? i : random.nextInt(ACCOUNT_COUNT));
            String id = run + "-cmd-" + i;
            if (opened.add(account)) {
                commands.add(new SteadyLoad.Command(id, account, new OpenAccount("owner of " + account)));
            } else if (random.nextInt(10) < 6) {
                commands.add(new SteadyLoad.Command(id, account, new Deposit(1L + random.nextInt(100))));
            } else {
                commands.add(new SteadyLoad.Command(id, account, new Withdraw(1L + random.nextInt(150))));
            }
        }
        return commands;
    }

    /** Per account: {balance, last version}, from the committed events (the balance each event states). */
    private static Map<String, long[]> fold(List<ConsumerRecord<byte[], byte[]>> events, String run) {
        Map<String, long[]> accounts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> event : events) {
            String id = ExactlyOnceChecks.key(event);
            if (!id.startsWith(run)) {
                continue;
            }
            long version = ExactlyOnceChecks.version(event);
            long[] account = accounts.computeIfAbsent(id, key -> new long[2]);
            assertThat(version).as("versions of " + id).isEqualTo(account[1] + 1);
            account[1] = version;
            String type = ExactlyOnceChecks.header(event, "event-type");
            if (!type.endsWith("AccountOpened")) {
                // MoneyDeposited and MoneyWithdrawn carry {amount, balance}: the balance after the event.
                account[0] = balanceOf(event.value());
            }
        }
        return accounts;
    }

    private static long balanceOf(byte[] wireValue) {
        // Both records are {long amount; long balance}: zig-zag varints after the 5-byte header.
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(wireValue, 5, wireValue.length - 5);
        readVarLong(bytes);
        return readVarLong(bytes);
    }

    private static long readVarLong(java.nio.ByteBuffer bytes) {
        long raw = 0;
        int shift = 0;
        byte b;
        do {
            b = bytes.get();
            raw |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static Map<String, String> expected(Map<String, long[]> fold) {
        Map<String, String> rows = new HashMap<>();
        fold.forEach((id, account) -> rows.put(id, "owner of " + id + " balance=" + account[0] + " version=" + account[1]));
        return rows;
    }

    private static Map<String, String> balances(String database, String run) throws SQLException {
        Map<String, String> rows = new HashMap<>();
        try (Connection connection = java.sql.DriverManager.getConnection(database); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT account_id, owner, balance, version FROM " + ExampleProjections.BALANCES_TABLE)) {
            while (result.next()) {
                if (result.getString(1).startsWith(run)) {
                    rows.put(result.getString(1), result.getString(2) + " balance=" + result.getLong(3) + " version=" + result.getLong(4));
                }
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("does not exist")) {
                return rows;   // not created yet
            }
            throw e;
        }
        return rows;
    }

    /**
     * {@code foldstream projections}: both account projections, every partition of ex_accounts-events
     * that had events at lag 0 (a partition without events has no position yet).
     */
    private static void assertStatusShowsEveryPartitionCaughtUp(KafkaStack.Endpoints stack, String run) {
        await("foldstream projections shows lag 0").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            java.io.StringWriter out = new java.io.StringWriter();
            int status = foldstream.ops.cli.FoldstreamCli.commandLine(Map.of(), foldstream.ops.cli.RegistryWiring.current())
                    .setOut(new java.io.PrintWriter(out, true))
                    .execute("projections", "--bootstrap-servers", stack.bootstrapServers(), "--application-id", run, "--json");
            assertThat(status).as(out.toString()).isZero();
            List<JsonNode> rows = out.toString().lines().map(line -> {
                try {
                    return JSON.readTree(line);
                } catch (java.io.IOException e) {
                    throw new AssertionError(line, e);
                }
            }).toList();
            for (String projection : List.of("account-summaries-v1", "account-balances-v1")) {
                List<JsonNode> events = rows.stream().filter(row -> row.path("projection").asText().equals(run + "-projection-" + projection)
                        && row.path("topic").asText().equals("ex_accounts-events")).toList();
                assertThat(events).as(projection + " in " + out).isNotEmpty();
                assertThat(events).allSatisfy(row -> assertThat(row.path("lag").asLong()).as(row.toString()).isZero());
                assertThat(events).anySatisfy(row -> assertThat(row.path("lastApplied").isTextual()).as(row.toString()).isTrue());
            }
        });
    }

    /** One position per partition of ex_accounts-events, none failing. */
    private static void assertPositionsCoverEveryPartition(String database) throws SQLException {
        try (Connection connection = java.sql.DriverManager.getConnection(database); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT partition_no, next_offset, attempts FROM " + JdbcPositions.DEFAULT_TABLE
                     + " WHERE topic = 'ex_accounts-events' ORDER BY partition_no")) {
            List<Integer> partitions = new ArrayList<>();
            while (result.next()) {
                partitions.add(result.getInt(1));
                assertThat(result.getInt(3)).as("failed attempts at partition " + result.getInt(1)).isZero();
            }
            assertThat(partitions).containsExactly(0, 1, 2, 3, 4, 5);
        }
    }

    private static JsonNode awaitProjection(WorkerProcess via, String name, String key, String query) throws Exception {
        String path = "/projections/" + name + "/" + encode(key) + query;
        HttpResponse<String>[] answer = new HttpResponse[1];
        await("GET " + path + " on " + via.name()).atMost(Duration.ofSeconds(90)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    answer[0] = via.get(path);
                    return answer[0].statusCode() == 200;
                });
        return JSON.readTree(answer[0].body());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name, String database) {
        return WorkerProcess.options(stack, run, name)
                .types("ex_users,ex_accounts")
                .flag("--projections", "user-directory,account-summaries,account-balances")
                .flag("--projection-jdbc-url", database)
                // A killed instance is noticed when its session expires: 10 s instead of Kafka's 45 s.
                .property("session.timeout.ms", "10000");
    }
}
