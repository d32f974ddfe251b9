package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Users;
import foldstream.worker.gateway.AggregateReadException;
import foldstream.worker.gateway.AggregateStates;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.ResultWithState;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.gateway.AggregateView;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's HTTP API on three {@link FoldstreamWorker} instances of one application (6
 * partitions): every aggregate is readable through every instance (two of three reads forwarded to
 * the owner), {@code minVersion} waits or answers 409, command outcomes map to statuses,
 * {@code ?answer=state} answers the new state, and bad requests are refused with nothing sent to Kafka.
 */
@ExtendWith(KafkaStack.class)
class WorkerHttpApiIT {

    static final AggregateType<AccountState> ACCOUNTS = Accounts.type().withName("it_http_accounts");
    static final AggregateType<?> USERS = Users.type().withName("it_http_users");
    private static final String A = "/aggregates/it_http_accounts/";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path stateDirs;

    private static KafkaStack.Endpoints stack;
    private static HttpSchemaRegistryClient registry;
    private static final List<FoldstreamWorker> workers = new ArrayList<>();

    @BeforeAll
    static void start(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        String application = "it-http-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            workers.add(FacadeHttp.startWorker(stack, application, List.of(ACCOUNTS, USERS), 6, stateDirs.resolve("w" + i), registry));
        }
        // Settled: every instance runs and owns some partitions, so reads are spread and forwarded.
        FacadeHttp.awaitSettled(workers);
    }

    @AfterAll
    static void stop() {
        workers.forEach(FoldstreamWorker::close);
        if (registry != null) {
            registry.close();
        }
    }

    private static int port(int instance) {
        return workers.get(instance).httpPort();
    }

    /** The HTTP port of the instance that owns the account now. */
    private static int owner(String id) {
        return workers.get(0).streams().queryMetadataForKey(AggregateTopics.of(ACCOUNTS.name()).snapshotStore(), id,
                Serdes.String().serializer()).activeHost().port();
    }

    private static String newId() {
        return "acc-" + UUID.randomUUID();
    }

    private static JsonNode open(int instance, String id, long deposit) {
        FacadeHttp.Reply opened = FacadeHttp.post(port(instance), A + id + "/commands/OpenAccount", "{\"owner\": \"ann\"}");
        assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        FacadeHttp.Reply deposited = FacadeHttp.post(port(instance), A + id + "/commands/Deposit", "{\"amount\": " + deposit + "}");
        assertThat(deposited.status()).as(deposited.body()).isEqualTo(200);
        return deposited.json();
    }

    @Test
    void everyAggregateIsReadableThroughEveryInstanceTwoOfThreeReadsForwarded() {
        // Two accounts owned by each instance, created through the instances in turn.
        Map<Integer, List<String>> byOwner = new HashMap<>();
        while (byOwner.size() < 3 || byOwner.values().stream().anyMatch(ids -> ids.size() < 2)) {
            String id = newId();
            List<String> owned = byOwner.computeIfAbsent(owner(id), port -> new ArrayList<>());
            if (owned.size() < 2) {
                owned.add(id);
            }
        }
        assertThat(byOwner.keySet()).containsExactlyInAnyOrder(port(0), port(1), port(2));
        List<String> ids = byOwner.values().stream().flatMap(List::stream).toList();
        Map<String, Long> deposits = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            open(i % 3, ids.get(i), 10L + i);
            deposits.put(ids.get(i), 10L + i);
        }

        int forwarded = 0;
        for (String id : ids) {
            for (int instance = 0; instance < 3; instance++) {
                FacadeHttp.Reply read = FacadeHttp.get(port(instance), A + id);
                assertThat(read.status()).as(id + " via instance " + instance + ": " + read.body()).isEqualTo(200);
                JsonNode view = read.json();
                assertThat(view.get("type").asText()).isEqualTo(ACCOUNTS.name());
                assertThat(view.get("id").asText()).isEqualTo(id);
                assertThat(view.get("version").asLong()).isEqualTo(2);
                assertThat(view.at("/state/balance").asLong()).isEqualTo(deposits.get(id));
                assertThat(view.at("/state/owner").asText()).isEqualTo("ann");
                assertThat(view.at("/meta/lastCommandId").asText()).isNotBlank();
                forwarded += owner(id) == port(instance) ? 0 : 1;
            }
        }
        assertThat(forwarded).isEqualTo(2 * ids.size());
    }

    @Test
    void minVersionWaitsForTheVersionThenAnswersLocallyAndForwarded() throws Exception {
        String id = newId();
        open(0, id, 5);
        int ownerPort = owner(id);
        int other = port(0) == ownerPort ? port(1) : port(0);

        CompletableFuture<FacadeHttp.Reply> atOwner = FacadeHttp.getAsync(ownerPort, A + id + "?minVersion=3&waitMs=30000");
        CompletableFuture<FacadeHttp.Reply> forwarded = FacadeHttp.getAsync(other, A + id + "?minVersion=3&waitMs=30000");
        assertThat(atOwner).isNotDone();
        assertThat(forwarded).isNotDone();

        FacadeHttp.Reply deposit = FacadeHttp.post(port(2), A + id + "/commands/Deposit", "{\"amount\": 7}", "Command-Id", "the-third-" + id);
        assertThat(deposit.status()).as(deposit.body()).isEqualTo(200);
        assertThat(deposit.json().get("version").asLong()).isEqualTo(3);

        for (CompletableFuture<FacadeHttp.Reply> read : List.of(atOwner, forwarded)) {
            FacadeHttp.Reply reply = read.get(30, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.json().get("version").asLong()).isEqualTo(3);
            assertThat(reply.json().at("/state/balance").asLong()).isEqualTo(12);
            assertThat(reply.json().at("/meta/lastCommandId").asText()).isEqualTo("the-third-" + id);
        }
    }

    @Test
    void minVersionThatDoesNotComeAnswers409LocallyAndForwarded() {
        String id = newId();
        open(1, id, 5);
        int ownerPort = owner(id);
        int other = port(0) == ownerPort ? port(1) : port(0);
        for (int port : List.of(ownerPort, other)) {
            long started = System.nanoTime();
            FacadeHttp.Reply reply = FacadeHttp.get(port, A + id + "?minVersion=3&waitMs=300");
            assertThat(reply.status()).as(reply.body()).isEqualTo(409);
            assertThat(reply.json().get("error").asText()).isEqualTo("VERSION_NOT_REACHED");
            assertThat(reply.json().get("version").asLong()).isEqualTo(2);
            assertThat(reply.json().get("message").asText()).contains("is at version 2, not 3");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
        // An aggregate that does not exist is at version 0, with the initial state.
        FacadeHttp.Reply none = FacadeHttp.get(port(2), A + newId());
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("version").asLong()).isZero();
        assertThat(none.json().get("meta").isNull()).isTrue();
    }

    @Test
    void commandOutcomesMapToStatuses() {
        String id = newId();
        FacadeHttp.Reply accepted = FacadeHttp.post(port(0), A + id + "/commands/OpenAccount", "{\"owner\": \"ann\"}",
                "Command-Id", "open-" + id, "Correlation-Id", "corr-" + id);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.json().get("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(accepted.json().get("commandId").asText()).isEqualTo("open-" + id);
        assertThat(accepted.json().get("version").asLong()).isEqualTo(1);

        FacadeHttp.Reply exists = FacadeHttp.post(port(1), A + id + "/commands/OpenAccount", "{\"owner\": \"bob\"}");
        assertThat(exists.status()).as(exists.body()).isEqualTo(409);
        assertThat(exists.json().get("outcome").asText()).isEqualTo("ALREADY_EXISTS");

        FacadeHttp.Reply wrongVersion = FacadeHttp.post(port(2), A + id + "/commands/Deposit", "{\"amount\": 5}", "Expected-Version", "7");
        assertThat(wrongVersion.status()).as(wrongVersion.body()).isEqualTo(409);
        assertThat(wrongVersion.json().get("outcome").asText()).isEqualTo("WRONG_EXPECTED_VERSION");

        FacadeHttp.Reply rightVersion = FacadeHttp.post(port(2), A + id + "/commands/foldstream.examples.accounts.Deposit",
                "{\"amount\": 5}", "Expected-Version", "1");
        assertThat(rightVersion.status()).as(rightVersion.body()).isEqualTo(200);
        assertThat(rightVersion.json().get("version").asLong()).isEqualTo(2);

        FacadeHttp.Reply rejected = FacadeHttp.post(port(0), A + id + "/commands/Withdraw", "{\"amount\": 100}");
        assertThat(rejected.status()).as(rejected.body()).isEqualTo(422);
        assertThat(rejected.json().get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(rejected.json().at("/errorCode").asText()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(rejected.json().at("/violations/0/field").asText()).isEqualTo("amount");
        assertThat(rejected.json().at("/violations/0/message").asText()).isEqualTo("must not exceed the balance of 5");

        FacadeHttp.Reply notFound = FacadeHttp.post(port(1), A + newId() + "/commands/Deposit", "{\"amount\": 5}");
        assertThat(notFound.status()).as(notFound.body()).isEqualTo(404);
        assertThat(notFound.json().get("outcome").asText()).isEqualTo("NOT_FOUND");

        String user = "user-" + UUID.randomUUID();
        String users = "/aggregates/it_http_users/" + user + "/commands/";
        assertThat(FacadeHttp.post(port(0), users + "RegisterUser", "{\"email\": \"a@example.com\", \"name\": \"Annabel\"}").status())
                .isEqualTo(200);
        FacadeHttp.Reply noChange = FacadeHttp.post(port(1), users + "UpdateProfile", "{\"name\": \"Annabel\"}");
        assertThat(noChange.status()).as(noChange.body()).isEqualTo(200);
        assertThat(noChange.json().get("outcome").asText()).isEqualTo("NO_CHANGE");

        FacadeHttp.Reply malformed = FacadeHttp.post(port(2), A + id + "/commands/Deposit", "{\"amount\": 5");
        assertThat(malformed.status()).as(malformed.body()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).isEqualTo("INVALID_JSON");

        for (int instance = 0; instance < 3; instance++) {
            FacadeHttp.Reply health = FacadeHttp.get(port(instance), "/health");
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("UP");
            FacadeHttp.Reply ready = FacadeHttp.get(port(instance), "/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.json().get("ready").asBoolean()).isTrue();
        }
    }

    @Test
    void answerStateAnswersTheResultWithTheStateAtItsVersionFromEveryInstance() {
        String id = newId();
        open(0, id, 100);
        for (int instance = 0; instance < 3; instance++) {
            long expectedVersion = 3 + instance;
            FacadeHttp.Reply reply = FacadeHttp.post(port(instance), A + id + "/commands/Withdraw?answer=state", "{\"amount\": 10}");
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode answer = reply.json();
            assertThat(answer.at("/result/outcome").asText()).isEqualTo("ACCEPTED");
            assertThat(answer.at("/result/version").asLong()).isEqualTo(expectedVersion);
            assertThat(answer.at("/state/version").asLong()).isEqualTo(expectedVersion);
            assertThat(answer.at("/state/id").asText()).isEqualTo(id);
            assertThat(answer.at("/state/state/balance").asLong()).isEqualTo(100 - 10L * (instance + 1));
            assertThat(answer.at("/state/meta/lastCommandId").asText()).isEqualTo(answer.at("/result/commandId").asText());
        }

        String user = "user-" + UUID.randomUUID();
        String users = "/aggregates/it_http_users/" + user + "/commands/";
        FacadeHttp.post(port(0), users + "RegisterUser", "{\"email\": \"b@example.com\", \"name\": \"Bernadette\"}");
        FacadeHttp.Reply noChange = FacadeHttp.post(port(1), users + "UpdateProfile?answer=state", "{\"name\": \"Bernadette\"}");
        assertThat(noChange.status()).as(noChange.body()).isEqualTo(200);
        assertThat(noChange.json().at("/result/outcome").asText()).isEqualTo("NO_CHANGE");
        assertThat(noChange.json().at("/state/version").asLong()).isEqualTo(2);
        assertThat(noChange.json().at("/state/state/name").asText()).isEqualTo("Bernadette");

        FacadeHttp.Reply refused = FacadeHttp.post(port(2), A + id + "/commands/Withdraw?answer=state", "{\"amount\": 1000}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().at("/result/outcome").asText()).isEqualTo("REJECTED");
        assertThat(refused.json().get("state").isNull()).isTrue();
    }

    @Test
    void theJavaGatewayReadsTheStateAtTheResultsVersion() throws Exception {
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        AggregateStates states = new AggregateStates(URI.create("http://127.0.0.1:" + port(1)), List.of(ACCOUNTS, USERS));
        try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec,
                List.of(ACCOUNTS.name()))) {
            String id = newId();
            SendOptions options = SendOptions.defaults().withTimeout(WAIT);
            ResultWithState opened = gateway.sendAndRead(ACCOUNTS.name(), id, new OpenAccount("cid"), options, states)
                    .get(60, TimeUnit.SECONDS);
            assertThat(opened.result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(opened.state().version()).isEqualTo(1);
            assertThat(opened.state().state()).isEqualTo(new AccountState("cid", 0L));
            assertThat(opened.state().meta().getLastCommandId()).isEqualTo(options.commandId());

            ResultWithState deposited = gateway.sendAndRead(ACCOUNTS.name(), id, new Deposit(42L),
                    SendOptions.defaults().withTimeout(WAIT), states).get(60, TimeUnit.SECONDS);
            assertThat(deposited.state().version()).isEqualTo(2);
            assertThat(deposited.state().state()).isEqualTo(new AccountState("cid", 42L));
            assertThat(deposited.state().meta().getCreatedAt()).isEqualTo(opened.state().meta().getCreatedAt());

            ResultWithState refused = gateway.sendAndRead(ACCOUNTS.name(), id, new Deposit(-1L),
                    SendOptions.defaults().withTimeout(WAIT), states).get(60, TimeUnit.SECONDS);
            assertThat(refused.result().getOutcome()).isEqualTo(Outcome.REJECTED);
            assertThat(refused.state()).isNull();

            AggregateView now = states.at(ACCOUNTS.name(), id, 0, Duration.ZERO).get(30, TimeUnit.SECONDS);
            assertThat(now.version()).isEqualTo(2);
            ExecutionException notYet = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                    () -> states.at(ACCOUNTS.name(), id, 3, Duration.ofMillis(200)).get(30, TimeUnit.SECONDS));
            assertThat(notYet.getCause()).isInstanceOf(AggregateReadException.class);
            assertThat(((AggregateReadException) notYet.getCause()).versionNotReached()).isTrue();
            assertThat(notYet.getCause().getMessage()).contains("is at version 2, not 3");
        }
    }

    @Test
    void badRequestsAreRefusedWithNothingSentToKafka() {
        String id = newId();
        open(0, id, 5);
        Map<TopicPartition, Long> before = commandEndOffsets();

        FacadeHttp.Reply unknownType = FacadeHttp.post(port(0), "/aggregates/it_http_orders/" + id + "/commands/Deposit", "{\"amount\": 1}");
        assertThat(unknownType.status()).as(unknownType.body()).isEqualTo(404);
        assertThat(unknownType.json().get("error").asText()).isEqualTo("UNKNOWN_TYPE");
        assertThat(unknownType.json().get("message").asText())
                .isEqualTo("no aggregate type it_http_orders; this worker serves [it_http_accounts, it_http_users]");
        FacadeHttp.Reply unknownTypeRead = FacadeHttp.get(port(1), "/aggregates/it_http_orders/" + id);
        assertThat(unknownTypeRead.status()).isEqualTo(404);
        assertThat(unknownTypeRead.json().get("error").asText()).isEqualTo("UNKNOWN_TYPE");

        FacadeHttp.Reply unknownCommand = FacadeHttp.post(port(1), A + id + "/commands/Transfer", "{\"amount\": 1}");
        assertThat(unknownCommand.status()).as(unknownCommand.body()).isEqualTo(404);
        assertThat(unknownCommand.json().get("error").asText()).isEqualTo("UNKNOWN_COMMAND");
        assertThat(unknownCommand.json().get("message").asText())
                .isEqualTo("it_http_accounts has no command Transfer; its commands are [Deposit, OpenAccount, Withdraw]");

        FacadeHttp.Reply misfit = FacadeHttp.post(port(2), A + id + "/commands/Deposit", "{\"amount\": \"ten\"}");
        assertThat(misfit.status()).as(misfit.body()).isEqualTo(400);
        assertThat(misfit.json().get("error").asText()).isEqualTo("INVALID_JSON");
        assertThat(misfit.json().get("message").asText()).contains("foldstream.examples.accounts.Deposit").contains("amount: expected a whole number (long), was \"ten\"");

        FacadeHttp.Reply missingField = FacadeHttp.post(port(2), A + id + "/commands/Deposit", "{}");
        assertThat(missingField.status()).as(missingField.body()).isEqualTo(400);

        String padded = "{\"amount\": 1}" + " ".repeat(1 << 20);
        FacadeHttp.Reply tooLarge = FacadeHttp.post(port(0), A + id + "/commands/Deposit", padded);
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.json().get("error").asText()).isEqualTo("BODY_TOO_LARGE");

        FacadeHttp.Reply badHeader = FacadeHttp.post(port(1), A + id + "/commands/Deposit", "{\"amount\": 1}", "Expected-Version", "two");
        assertThat(badHeader.status()).as(badHeader.body()).isEqualTo(400);
        FacadeHttp.Reply badAnswer = FacadeHttp.post(port(1), A + id + "/commands/Deposit?answer=everything", "{\"amount\": 1}");
        assertThat(badAnswer.status()).as(badAnswer.body()).isEqualTo(400);
        assertThat(badAnswer.json().get("message").asText()).contains("answer must be 'result' or 'state'");

        for (String query : List.of("?minVersion=abc", "?minVersion=-1", "?minVersion=1&waitMs=soon")) {
            FacadeHttp.Reply badRead = FacadeHttp.get(port(2), A + id + query);
            assertThat(badRead.status()).as(query + ": " + badRead.body()).isEqualTo(400);
            assertThat(badRead.json().get("error").asText()).isEqualTo("INVALID_PARAMETER");
        }

        // One good command to the same aggregate (the same partition, after any record a bad request
        // might have sent): the commands topic grew by exactly that one.
        assertThat(FacadeHttp.post(port(0), A + id + "/commands/Deposit", "{\"amount\": 1}").status()).isEqualTo(200);
        Map<TopicPartition, Long> after = commandEndOffsets();
        Map<TopicPartition, Long> grown = after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - before.get(e.getKey())));
        assertThat(grown).hasSize(1).containsValue(1L);
    }

    @Test
    void aRefusedLargeBodyStillGetsItsAnswer() {
        // The server reads at most 1 MiB + 1 of a body; the rest must not reset the connection under
        // the answer. Several times, on every instance: a reset is a race the client often loses.
        String huge = "{\"amount\": 1}" + " ".repeat(8 << 20);
        String id = newId();
        for (int i = 0; i < 6; i++) {
            FacadeHttp.Reply tooLarge = FacadeHttp.post(port(i % 3), A + id + "/commands/Deposit", huge);
            assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
            assertThat(tooLarge.json().get("error").asText()).isEqualTo("BODY_TOO_LARGE");
            // Refused before the body is read at all.
            FacadeHttp.Reply unknown = FacadeHttp.post(port(i % 3), A + id + "/commands/Transfer", huge);
            assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
            assertThat(unknown.json().get("error").asText()).isEqualTo("UNKNOWN_COMMAND");
        }
        assertThat(FacadeHttp.get(port(0), A + id).json().get("version").asLong()).isZero();
    }

    @Test
    void idsArePathSegmentsAsWrittenAPlusIsAPlus() {
        String id = "ann+" + UUID.randomUUID() + "@example.com";
        FacadeHttp.Reply opened = FacadeHttp.post(port(0), A + id + "/commands/OpenAccount", "{\"owner\": \"ann\"}");
        assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        assertThat(opened.json().at("/aggregateId").asText()).isEqualTo(id);
        for (int instance = 0; instance < 3; instance++) {
            // Written as is, or percent-encoded as clients that encode do.
            FacadeHttp.Reply read = FacadeHttp.get(port(instance), A + (instance == 0 ? id : id.replace("+", "%2B")));
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.json().get("id").asText()).isEqualTo(id);
            assertThat(read.json().get("version").asLong()).isEqualTo(1);
        }
    }

    private static Map<TopicPartition, Long> commandEndOffsets() {
        String topic = AggregateTopics.of(ACCOUNTS.name()).commands();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, WAIT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            return consumer.endOffsets(partitions, WAIT);
        }
    }
}
