package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.ops.cli.FoldstreamCli;
import foldstream.ops.cli.RegistryWiring;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.examples.Users;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code foldstream send}, {@code get} and {@code tail} in-process, as {@code ops/foldstream} runs
 * them ({@code FoldstreamCli.commandLine}), against the real broker and registry and a
 * {@link FoldstreamWorker} running ex_accounts and ex_counters: their output, human and JSON, and
 * their exit codes. The CLI knows the example types only, so this test shares their topics with any
 * other test of them: it uses aggregate ids of its own, and starts once its worker has caught up
 * with commands already there. ex_users has no worker until the timeout test starts one.
 */
@ExtendWith(KafkaStack.class)
class FacadeCliIT {

    private static final Pattern COMMAND_ID = Pattern.compile("--command-id (\\S+)");

    @TempDir
    static Path stateDir;

    private static KafkaStack.Endpoints stack;
    private static HttpSchemaRegistryClient registry;
    private static FoldstreamWorker worker;
    private static Map<String, String> env;

    /** One run of the tool: exit status, stdout, stderr. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\\R"));
        }
    }

    /** Runs the tool, its output captured while it runs (for a tail that runs in the background). */
    static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> status;

        Running(Map<String, String> env, String... args) {
            CommandLine cli = FoldstreamCli.commandLine(env, RegistryWiring.current());
            cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            status = CompletableFuture.supplyAsync(() -> cli.execute(args));
        }

        Run await() throws Exception {
            int exit = status.get(90, TimeUnit.SECONDS);
            return new Run(exit, out.toString(), err.toString());
        }
    }

    static Run run(String... args) throws Exception {
        return new Running(env, args).await();
    }

    @BeforeAll
    static void start(KafkaStack.Endpoints endpoints) throws Exception {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        String application = "it-cli-" + UUID.randomUUID();
        worker = FacadeHttp.startWorker(stack, application, List.of(Accounts.type(), Counters.type()), 3, stateDir.resolve("main"),
                registry);
        assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
        env = Map.of("FOLDSTREAM_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                "FOLDSTREAM_SCHEMA_REGISTRY_URL", stack.registryUrl(),
                "FOLDSTREAM_WORKER_URL", "http://127.0.0.1:" + worker.httpPort());
        // A new application starts at the beginning of the commands topics: let it decide what other
        // tests left there first, so that what this test tails is its own.
        awaitCaughtUp(application, List.of(AggregateTopics.of("ex_accounts").commands(), AggregateTopics.of("ex_counters").commands()));
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static void awaitCaughtUp(String application, List<String> topics) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     stack.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = topics.stream().flatMap(topic -> consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .stream().map(info -> new TopicPartition(topic, info.partition()))).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(application)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            });
        }
    }

    private static String newId() {
        return "cli-" + UUID.randomUUID();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void sendPrintsTheResultAndExitsByItsOutcome() throws Exception {
        String id = newId();
        Run opened = run("send", "ex_accounts", id, "OpenAccount", "{\"owner\": \"ann\"}");
        assertThat(opened.status()).as(opened.err()).isZero();
        assertThat(opened.out()).matches("ex_accounts '" + id + "' OpenAccount \\(command-id \\S+\\): ACCEPTED version 1, 1 event\\R");
        assertThat(opened.err()).isEmpty();

        // Flags instead of the environment; the full record name; JSON for scripts.
        Run deposited = new Running(Map.of(), "send", "ex_accounts", id, "foldstream.examples.accounts.Deposit", "{\"amount\": 30}",
                "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.registryUrl(),
                "--expected-version", "1", "--command-id", "dep-" + id, "--correlation-id", "corr-" + id, "--json").await();
        assertThat(deposited.status()).as(deposited.err()).isZero();
        assertThat(deposited.lines()).hasSize(1);
        JsonNode result = FacadeHttp.parse(deposited.out());
        assertThat(result.get("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(result.get("version").asLong()).isEqualTo(2);
        assertThat(result.get("commandId").asText()).isEqualTo("dep-" + id);

        Run rejected = run("send", "ex_accounts", id, "Withdraw", "{\"amount\": 100}");
        assertThat(rejected.status()).isEqualTo(3);
        assertThat(rejected.out()).contains("REJECTED version 2, 0 events: INSUFFICIENT_FUNDS the balance is 30"
                + " [amount: must not exceed the balance of 30]");

        Run wrongVersion = run("send", "ex_accounts", id, "Deposit", "{\"amount\": 5}", "--expected-version", "7");
        assertThat(wrongVersion.status()).isEqualTo(3);
        assertThat(wrongVersion.out()).contains("WRONG_EXPECTED_VERSION version 2");

        Run notFound = run("send", "ex_accounts", newId(), "Deposit", "{\"amount\": 5}", "--json");
        assertThat(notFound.status()).isEqualTo(3);
        assertThat(FacadeHttp.parse(notFound.out()).get("outcome").asText()).isEqualTo("NOT_FOUND");

        Run counted = run("send", "ex_counters", newId(), "Increment", "{\"by\": 2}");
        assertThat(counted.status()).as(counted.err()).isZero();
        assertThat(counted.out()).contains("ACCEPTED version 1, 1 event");
    }

    @Test
    void aSendThatTimesOutSaysHowToRetryAndTheRetryAnswersWithoutApplyingTwice() throws Exception {
        // No worker runs ex_users yet: its commands wait on the topic, unanswered.
        Run topics = run("topics", "create", "--types", "ex_users", "--partitions", "3");
        assertThat(topics.status()).as(topics.err()).isZero();
        String id = newId();
        String register = "{\"email\": \"tim@example.com\", \"name\": \"Timothy\"}";
        Run timedOut = run("send", "ex_users", id, "RegisterUser", register, "--timeout", "1s");
        assertThat(timedOut.status()).as(timedOut.err()).isEqualTo(4);
        assertThat(timedOut.out()).isEmpty();
        assertThat(timedOut.err()).contains("no result for command").contains("within 1s; it may still be applied")
                .contains("foldstream send ex_users " + id + " RegisterUser '" + register + "' --command-id ");
        Matcher commandId = COMMAND_ID.matcher(timedOut.err());
        assertThat(commandId.find()).isTrue();

        Run timedOutJson = run("send", "ex_users", newId(), "RegisterUser", register, "--timeout", "500ms", "--json");
        assertThat(timedOutJson.status()).isEqualTo(4);
        JsonNode timeout = FacadeHttp.parse(timedOutJson.out());
        assertThat(timeout.get("error").asText()).isEqualTo("TIMEOUT");
        assertThat(timedOutJson.err()).contains("--command-id " + timeout.get("commandId").asText());

        // A worker comes: it decides the waiting command; the retry the message suggested answers with
        // that command's result, and the user is registered once.
        try (FoldstreamWorker users = FacadeHttp.startWorker(stack, "it-cli-users-" + UUID.randomUUID(), List.of(Users.type()), 3,
                stateDir.resolve("users"), registry)) {
            assertThat(users.awaitRunning(Duration.ofSeconds(60))).isTrue();
            Run retried = run("send", "ex_users", id, "RegisterUser", register, "--command-id", commandId.group(1), "--timeout", "30s");
            assertThat(retried.status()).as(retried.err()).isZero();
            assertThat(retried.out()).contains("(command-id " + commandId.group(1) + "): ACCEPTED version 2, 2 events");

            Run state = run("get", "ex_users", id, "--json", "--worker-url", "http://127.0.0.1:" + users.httpPort());
            assertThat(state.status()).as(state.err()).isZero();
            JsonNode view = FacadeHttp.parse(state.out());
            assertThat(view.get("version").asLong()).isEqualTo(2);
            assertThat(view.at("/state/name").asText()).isEqualTo("Timothy");
            assertThat(view.at("/meta/lastCommandId").asText()).isEqualTo(commandId.group(1));
            long events = InProcessWorker.readCommitted(stack, AggregateTopics.of("ex_users").events()).stream()
                    .filter(record -> id.equals(new String(record.key(), StandardCharsets.UTF_8))).count();
            assertThat(events).isEqualTo(2);
        }
    }

    @Test
    void getPrintsStateVersionAndMeta() throws Exception {
        String id = newId();
        assertThat(run("send", "ex_accounts", id, "OpenAccount", "{\"owner\": \"gus\"}").status()).isZero();
        assertThat(run("send", "ex_accounts", id, "Deposit", "{\"amount\": 12}", "--command-id", "dep-" + id).status()).isZero();

        Run text = new Running(Map.of(), "get", "ex_accounts", id, "--worker-url", "http://127.0.0.1:" + worker.httpPort()).await();
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.lines()).hasSize(3);
        assertThat(text.lines().get(0)).isEqualTo("ex_accounts '" + id + "' version 2");
        assertThat(text.lines().get(1)).isEqualTo("  state  {\"owner\":\"gus\",\"balance\":12}");
        assertThat(text.lines().get(2)).matches("  meta   created \\S+Z, updated \\S+Z, last command dep-" + id);

        Run json = run("get", "ex_accounts", id, "--min-version", "2", "--wait-ms", "5000", "--json");
        assertThat(json.status()).as(json.err()).isZero();
        JsonNode view = FacadeHttp.parse(json.out());
        assertThat(view.get("type").asText()).isEqualTo("ex_accounts");
        assertThat(view.get("id").asText()).isEqualTo(id);
        assertThat(view.get("version").asLong()).isEqualTo(2);
        assertThat(view.at("/state/balance").asLong()).isEqualTo(12);
        assertThat(view.at("/meta/lastCommandId").asText()).isEqualTo("dep-" + id);

        Run notYet = run("get", "ex_accounts", id, "--min-version", "3", "--wait-ms", "200");
        assertThat(notYet.status()).isEqualTo(4);
        assertThat(notYet.err()).contains("answered 409 VERSION_NOT_REACHED").contains("is at version 2, not 3, after 200 ms");

        Run none = run("get", "ex_accounts", newId());
        assertThat(none.status()).isZero();
        assertThat(none.lines().get(0)).endsWith("version 0 (does not exist yet)");
        assertThat(none.lines().get(1)).isEqualTo("  state  {\"owner\":null,\"balance\":0}");

        Run notServed = run("get", "ex_users", newId());
        assertThat(notServed.status()).isEqualTo(1);
        assertThat(notServed.err()).contains("answered 404 UNKNOWN_TYPE").contains("this worker serves [ex_accounts, ex_counters]");
    }

    @Test
    void tailPrintsWhatIsCommittedDecodedWithItsHeaders() throws Exception {
        Running tail = new Running(env, "tail", "ex_accounts", "events", "--max", "2", "--timeout", "60s", "--json");
        await().atMost(Duration.ofSeconds(30)).until(() -> tail.err.toString().contains("reading ex_accounts-events from the end")
                || tail.status.isDone());
        String id = newId();
        assertThat(run("send", "ex_accounts", id, "OpenAccount", "{\"owner\": \"tia\"}", "--command-id", "open-" + id).status()).isZero();
        assertThat(run("send", "ex_accounts", id, "Deposit", "{\"amount\": 4}", "--command-id", "dep-" + id).status()).isZero();

        Run tailed = tail.await();
        assertThat(tailed.status()).as(tailed.err()).isZero();
        assertThat(tailed.lines()).hasSize(2);
        JsonNode opened = FacadeHttp.parse(tailed.lines().get(0));
        assertThat(opened.get("kind").asText()).isEqualTo("event");
        assertThat(opened.get("topic").asText()).isEqualTo("ex_accounts-events");
        assertThat(opened.get("key").asText()).isEqualTo(id);
        assertThat(opened.get("record").asText()).isEqualTo("foldstream.examples.accounts.AccountOpened");
        assertThat(opened.at("/value/owner").asText()).isEqualTo("tia");
        assertThat(opened.at("/headers/command-id").asText()).isEqualTo("open-" + id);
        assertThat(opened.at("/headers/aggregate-version").asText()).isEqualTo("1");
        JsonNode deposited = FacadeHttp.parse(tailed.lines().get(1));
        assertThat(deposited.get("record").asText()).isEqualTo("foldstream.examples.accounts.MoneyDeposited");
        assertThat(deposited.at("/value/balance").asLong()).isEqualTo(4);
        assertThat(deposited.at("/headers/command-id").asText()).isEqualTo("dep-" + id);
        assertThat(deposited.at("/headers/aggregate-version").asText()).isEqualTo("2");
        assertThat(deposited.get("offset").asLong()).isGreaterThan(opened.get("offset").asLong());

        // From the beginning, as text: every committed result, this test's among them, with headers.
        int committed = InProcessWorker.readCommitted(stack, AggregateTopics.of("ex_accounts").results()).size();
        Run results = run("tail", "ex_accounts", "results", "--from-beginning", "--max", Integer.toString(committed), "--timeout", "60s");
        assertThat(results.status()).as(results.err()).isZero();
        assertThat(results.lines().stream().filter(line -> line.startsWith("   result  ex_accounts-results p"))).hasSize(committed);
        assertThat(results.out()).containsPattern("result  ex_accounts-results p\\d+@\\d+  ACCEPTED version 2, 1 event\\R"
                + " +.*command-id=dep-" + Pattern.quote(id));
        assertThat(results.err()).contains("reading ex_accounts-results from the beginning, up to " + committed + " records");
    }

    @Test
    void tailStopsAtItsTimeoutAndSaysWhetherMaxWasReached() throws Exception {
        Run short1 = run("tail", "ex_counters", "events", "--max", "1", "--timeout", "300ms");
        assertThat(short1.status()).as(short1.err()).isEqualTo(4);
        assertThat(short1.out()).isEmpty();
        Run forAWhile = run("tail", "ex_counters", "events", "--timeout", "300ms");
        assertThat(forAWhile.status()).as(forAWhile.err()).isZero();
    }

    @Test
    void anUnreachableRegistryIsNamed() throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        Run send = new Running(Map.of("FOLDSTREAM_BOOTSTRAP_SERVERS", stack.bootstrapServers(), "FOLDSTREAM_SCHEMA_REGISTRY_URL", url),
                "send", "ex_accounts", newId(), "OpenAccount", "{\"owner\": \"una\"}").await();
        assertThat(send.status()).isEqualTo(1);
        assertThat(send.err()).contains("foldstream send: the schema registry at " + url + " failed");

        assertThat(run("send", "ex_accounts", newId(), "OpenAccount", "{\"owner\": \"una\"}").status()).isZero();
        Run tail = new Running(Map.of("FOLDSTREAM_BOOTSTRAP_SERVERS", stack.bootstrapServers()), "tail", "ex_accounts", "results",
                "--from-beginning", "--max", "1", "--timeout", "60s", "--schema-registry-url", url).await();
        assertThat(tail.status()).isEqualTo(1);
        assertThat(tail.err()).contains("foldstream tail: stopped reading").contains("schema registry at " + url);
    }
}
