package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.examples.Users;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.CommandTimeoutException;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The command gateway against a real worker: every outcome, creation, load, timeouts and retries, and two gateways side by side. */
@ExtendWith(KafkaStack.class)
class CommandGatewayIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    static final AggregateType<AccountState> ACCOUNTS = AggregateType.builder("it_gw_accounts", AccountState.class, new Accounts())
            .command(OpenAccount.class, Creation.CREATES).command(Deposit.class).command(Withdraw.class)
            .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class).build();
    static final AggregateType<UserState> USERS = users("it_gw_users");
    /** A counter whose decide throws on 13: the aggregate's own code failing. */
    static final AggregateType<CounterState> UNLUCKY = OnThirteen.type("it_gw_unlucky", () -> {
        throw new IllegalStateException("unlucky number 13");
    });
    static final AggregateType<CounterState> COUNTERS = counters("it_gw_counters");

    private static KafkaStack.Endpoints stack;
    private static InProcessWorker worker;
    private static HttpSchemaRegistryClient registry;
    private static AvroWireCodec codec;
    private static CommandGateway gateway;

    static AggregateType<UserState> users(String name) {
        return AggregateType.builder(name, UserState.class, new Users())
                .command(RegisterUser.class, Creation.CREATES).command(UpdateProfile.class)
                .events(UserCreated.class, ProfileSet.class).build();
    }

    static AggregateType<CounterState> counters(String name) {
        return AggregateType.builder(name, CounterState.class, new Counters())
                .command(Increment.class, Creation.EITHER).events(Incremented.class).build();
    }

    @BeforeAll
    static void start(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        List<AggregateType<?>> types = List.of(ACCOUNTS, USERS, UNLUCKY, COUNTERS);
        worker = InProcessWorker.with(stack, "it-gateway", types).partitions(3).threads(2).start();
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        codec = new AvroWireCodec(registry, true);
        gateway = gateway(types.stream().map(AggregateType::name).toList());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (worker != null) {
            worker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void resultRecordsTheGatewayCannotReadAreSkippedAndLaterResultsStillCompleteTheirCalls() throws Exception {
        String topic = AggregateTopics.of(COUNTERS.name()).results();
        try (CommandGateway own = gateway(List.of(COUNTERS.name()));
             org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            String id = "gw-bad-results-" + UUID.randomUUID();
            assertThat(outcome(send(own, COUNTERS, id, new Increment(1), SendOptions.defaults()))).isEqualTo("ACCEPTED@1+1");
            assertThat(own.isReading()).as("the reader follows the results now").isTrue();
            // On every partition, ahead of the results to come: a command-id header without a value and
            // bytes that are no result; a record without a key; a record without any header.
            for (int partition = 0; partition < 3; partition++) {
                org.apache.kafka.common.header.internals.RecordHeaders nullId = new org.apache.kafka.common.header.internals.RecordHeaders();
                nullId.add(ContractHeaders.COMMAND_ID, null);
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition, id, new byte[] {0, 0, 0, 0, 9, 42, 42}, nullId));
                org.apache.kafka.common.header.internals.RecordHeaders someId = new org.apache.kafka.common.header.internals.RecordHeaders();
                someId.add(ContractHeaders.COMMAND_ID, "garbage".getBytes(StandardCharsets.UTF_8));
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition, (String) null, new byte[] {1, 2, 3}, someId));
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition, id, new byte[] {7}));
            }
            producer.flush();

            for (long n = 2; n <= 4; n++) {
                assertThat(outcome(send(own, COUNTERS, id, new Increment(1), SendOptions.defaults())))
                        .as("a result after the bad records completes its call").isEqualTo("ACCEPTED@" + n + "+1");
            }
        }
    }

    @Test
    void noCallWaitsLongerThanTheGatewaysMaxTimeout() {
        // Topics that no worker reads: a call can only time out.
        AggregateType<CounterState> unanswered = counters("it_gw_unanswered");
        InProcessWorker.createTopics(stack, 1, List.of(unanswered));
        try (CommandGateway bounded = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec,
                List.of(unanswered.name()), Duration.ofSeconds(2))) {
            assertThat(bounded.maxTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(bounded.bounded(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(500));
            CompletableFuture<CommandResult> call = bounded.send(unanswered.name(), "gw-max-" + UUID.randomUUID(), new Increment(1),
                    SendOptions.defaults().withTimeout(Duration.ofDays(1)));
            assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS))
                    .as("the call asked for a day and got the gateway's bound")
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(CommandTimeoutException.class).hasMessageContaining("PT2S");
        }
        assertThat(CommandGateway.DEFAULT_MAX_TIMEOUT).isEqualTo(Duration.ofMinutes(5));
    }

    private static CommandGateway gateway(List<String> types) {
        return new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec, types);
    }

    private static CommandResult send(CommandGateway via, AggregateType<?> type, String id, SpecificRecord command, SendOptions options)
            throws Exception {
        CommandResult result = via.send(type.name(), id, command, options.withTimeout(WAIT)).get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(result.getCommandId()).isEqualTo(options.commandId());
        assertThat(result.getAggregateId()).isEqualTo(id);
        assertThat(result.getAggregateType()).isEqualTo(type.name());
        return result;
    }

    private static CommandResult send(AggregateType<?> type, String id, SpecificRecord command) throws Exception {
        return send(gateway, type, id, command, SendOptions.defaults());
    }

    private static String outcome(CommandResult result) {
        return result.getOutcome() + "@" + result.getVersion() + "+" + result.getEventCount();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return ContractHeaders.text(record.headers(), name);
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> eventsOf(AggregateType<?> type, String id) {
        return InProcessWorker.readCommitted(stack, AggregateTopics.of(type.name()).events()).stream()
                .filter(r -> key(r).equals(id)).toList();
    }

    @Test
    void everyOutcomeASenderCanCauseComesBackThroughTheGateway() throws Exception {
        String id = "acc-" + UUID.randomUUID();
        assertThat(outcome(send(ACCOUNTS, id, new OpenAccount("ann")))).isEqualTo("ACCEPTED@1+1");
        assertThat(outcome(send(gateway, ACCOUNTS, id, new Deposit(30L), SendOptions.defaults().withExpectedVersion(1))))
                .isEqualTo("ACCEPTED@2+1");

        CommandResult rejected = send(ACCOUNTS, id, new Withdraw(100L));
        assertThat(outcome(rejected)).isEqualTo("REJECTED@2+0");
        assertThat(rejected.getErrorCode()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(rejected.getViolations()).containsExactly(new FieldViolation("amount", "must not exceed the balance of 30"));

        CommandResult wrongVersion = send(gateway, ACCOUNTS, id, new Deposit(5L), SendOptions.defaults().withExpectedVersion(7));
        assertThat(outcome(wrongVersion)).isEqualTo("WRONG_EXPECTED_VERSION@2+0");
        assertThat(wrongVersion.getMessage()).contains("expected version 7").contains("current version 2");

        CommandResult exists = send(ACCOUNTS, id, new OpenAccount("bob"));
        assertThat(outcome(exists)).isEqualTo("ALREADY_EXISTS@2+0");
        assertThat(exists.getMessage()).contains(id);

        String nobody = "acc-" + UUID.randomUUID();
        CommandResult notFound = send(ACCOUNTS, nobody, new Deposit(5L));
        assertThat(outcome(notFound)).isEqualTo("NOT_FOUND@0+0");
        assertThat(notFound.getMessage()).contains(nobody);

        CommandResult unknown = send(ACCOUNTS, id, new Increment(1));
        assertThat(outcome(unknown)).isEqualTo("UNKNOWN_COMMAND@2+0");
        assertThat(unknown.getMessage()).contains("it_gw_accounts does not handle foldstream.examples.counters.Increment");

        String user = "user-" + UUID.randomUUID();
        assertThat(outcome(send(USERS, user, new RegisterUser("ada@example.org", "Ada Lovelace")))).isEqualTo("ACCEPTED@2+2");
        assertThat(outcome(send(USERS, user, new UpdateProfile("Ada Lovelace")))).isEqualTo("NO_CHANGE@2+0");

        String counter = "unlucky-" + UUID.randomUUID();
        assertThat(outcome(send(UNLUCKY, counter, new Increment(2)))).isEqualTo("ACCEPTED@1+1");
        CommandResult failed = send(UNLUCKY, counter, new Increment(13));
        assertThat(outcome(failed)).isEqualTo("FAILED@1+0");
        assertThat(failed.getErrorCode()).isEqualTo("FAILED");
        assertThat(failed.getMessage()).contains("decide threw").contains("unlucky number 13");
        // The worker keeps running, and the failed command wrote nothing.
        assertThat(outcome(send(UNLUCKY, counter, new Increment(3)))).isEqualTo("ACCEPTED@2+1");

        assertThat(eventsOf(ACCOUNTS, id)).extracting(r -> header(r, ContractHeaders.EVENT_TYPE) + " v" + header(r, ContractHeaders.AGGREGATE_VERSION))
                .containsExactly("foldstream.examples.accounts.AccountOpened v1", "foldstream.examples.accounts.MoneyDeposited v2");
        assertThat(eventsOf(ACCOUNTS, nobody)).isEmpty();
        assertThat(eventsOf(UNLUCKY, counter)).extracting(r -> codec.decode(r.value(), Incremented.class))
                .containsExactly(new Incremented(2, 2L), new Incremented(3, 5L));
        assertThat(worker.failures()).isEmpty();
    }

    @Test
    void createGivesEachNewAggregateItsOwnId() throws Exception {
        CommandResult first = gateway.create(ACCOUNTS.name(), new OpenAccount("ann")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        CommandResult second = gateway.create(ACCOUNTS.name(), new OpenAccount("bob")).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(List.of(outcome(first), outcome(second))).containsOnly("ACCEPTED@1+1");
        assertThat(first.getAggregateId()).isNotEqualTo(second.getAggregateId());
        assertThat(UUID.fromString(first.getAggregateId()).toString()).isEqualTo(first.getAggregateId());
        assertThat(outcome(send(ACCOUNTS, first.getAggregateId(), new Deposit(10L)))).isEqualTo("ACCEPTED@2+1");
        assertThat(eventsOf(ACCOUNTS, second.getAggregateId())).extracting(r -> codec.decode(r.value(), AccountOpened.class))
                .containsExactly(new AccountOpened("bob"));
    }

    /** One sent command and the future of its result. */
    record Sent(String aggregateId, String commandId, int by, CompletableFuture<CommandResult> result) {
    }

    @Test
    void aThousandConcurrentSendsOnOneGatewayEachGetTheirOwnResultOnce() throws Exception {
        int commands = 1_000;
        int aggregates = 40;
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<?>> submitted = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                int n = i;
                submitted.add(CompletableFuture.runAsync(() -> {
                    String id = "load-" + (n % aggregates);
                    String commandId = "load-cmd-" + n;
                    int by = 1 + n % 7;
                    sent.add(new Sent(id, commandId, by, gateway.send(COUNTERS.name(), id, new Increment(by),
                            SendOptions.defaults().withCommandId(commandId).withTimeout(Duration.ofSeconds(90)))));
                }, senders));
            }
            CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            senders.shutdown();
        }
        CompletableFuture.allOf(sent.stream().map(Sent::result).toArray(CompletableFuture[]::new)).get(100, TimeUnit.SECONDS);

        Map<String, List<Long>> versions = new HashMap<>();
        Map<String, Long> sums = new HashMap<>();
        for (Sent s : sent) {
            CommandResult result = s.result().join();
            assertThat(result.getCommandId()).isEqualTo(s.commandId());
            assertThat(result.getAggregateId()).isEqualTo(s.aggregateId());
            assertThat(outcome(result)).startsWith("ACCEPTED@").endsWith("+1");
            versions.computeIfAbsent(s.aggregateId(), k -> new ArrayList<>()).add(result.getVersion());
            sums.merge(s.aggregateId(), (long) s.by(), Long::sum);
        }
        assertThat(versions).hasSize(aggregates);
        versions.forEach((id, seen) -> assertThat(seen).as(id).containsExactlyInAnyOrderElementsOf(
                LongStream.rangeClosed(1, commands / aggregates).boxed().toList()));

        Map<String, Long> resultsPerCommand = InProcessWorker.readCommitted(stack, AggregateTopics.of(COUNTERS.name()).results()).stream()
                .collect(Collectors.groupingBy(r -> header(r, ContractHeaders.COMMAND_ID), Collectors.counting()));
        assertThat(resultsPerCommand).hasSize(commands).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1L));

        for (String id : versions.keySet()) {
            Snapshot<CounterState> snapshot = worker.snapshot(COUNTERS, id);
            assertThat(snapshot.version()).isEqualTo(commands / aggregates);
            assertThat(snapshot.state().getValue()).isEqualTo(sums.get(id));
        }
    }

    @Test
    void aRetryAfterATimeoutWithTheSameCommandIdWritesOneSetOfEventsAndAnswersTheFirstResult() throws Exception {
        AggregateType<UserState> users = users("it_gw_retry_users");
        InProcessWorker.createTopics(stack, 1, List.of(users));
        String commandId = "register-" + UUID.randomUUID();
        RegisterUser register = new RegisterUser("grace@example.org", "Grace Hopper");
        SendOptions options = SendOptions.defaults().withCommandId(commandId);

        try (CommandGateway retrying = gateway(List.of(users.name()))) {
            // No worker runs yet: nothing can answer in time.
            CompletableFuture<CommandResult> first = retrying.send(users.name(), "grace", register, options.withTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> first.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(CommandTimeoutException.class)
                    .hasMessageContaining(commandId).hasMessageContaining("it may still be applied");
            assertThat(((CommandTimeoutException) catchCause(first)).commandId()).isEqualTo(commandId);

            try (InProcessWorker late = InProcessWorker.with(stack, "it-gateway-retry", List.of(users)).start()) {
                CommandResult retried = send(retrying, users, "grace", register, options);
                assertThat(outcome(retried)).isEqualTo("ACCEPTED@2+2");

                // Both copies are answered, the second with the first's result, byte for byte.
                String results = AggregateTopics.of(users.name()).results();
                List<ConsumerRecord<byte[], byte[]>> answers = await().atMost(WAIT).until(
                        () -> InProcessWorker.readCommitted(stack, results).stream()
                                .filter(r -> commandId.equals(header(r, ContractHeaders.COMMAND_ID))).toList(),
                        found -> found.size() == 2);
                assertThat(answers.get(1).value()).isEqualTo(answers.get(0).value());
                assertThat(codec.decode(answers.get(0).value(), CommandResult.class)).isEqualTo(retried);

                assertThat(eventsOf(users, "grace")).extracting(r -> header(r, ContractHeaders.COMMAND_ID) + " "
                                + header(r, ContractHeaders.EVENT_TYPE) + " v" + header(r, ContractHeaders.AGGREGATE_VERSION))
                        .containsExactly(commandId + " foldstream.examples.users.UserCreated v1",
                                commandId + " foldstream.examples.users.ProfileSet v2");
                assertThat(late.failures()).isEmpty();
            }
        }
    }

    @Test
    void aCallbackThatWaitsForAnotherResultOfTheSameGatewayDoesNotStallIt() throws Exception {
        String id = "chained-" + UUID.randomUUID();
        // A process manager's natural first try: on one result, send the next command and wait for it.
        CompletableFuture<CommandResult> chained = gateway.send(ACCOUNTS.name(), id, new OpenAccount("ann"))
                .thenApply(opened -> gateway.send(ACCOUNTS.name(), id, new Deposit(10L),
                        SendOptions.defaults().withExpectedVersion(opened.getVersion()).withTimeout(Duration.ofSeconds(5))).join());

        assertThat(outcome(chained.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("ACCEPTED@2+1");
    }

    private static Throwable catchCause(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new AssertionError("the future did not fail");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void twoGatewaysOnOneTypeEachCompleteOnlyTheirOwnCommands() throws Exception {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = "shared-" + i + "-" + UUID.randomUUID();
            assertThat(outcome(send(ACCOUNTS, id, new OpenAccount("owner-" + i)))).isEqualTo("ACCEPTED@1+1");
            accounts.add(id);
        }
        try (CommandGateway a = gateway(List.of(ACCOUNTS.name())); CommandGateway b = gateway(List.of(ACCOUNTS.name()))) {
            List<Sent> fromA = new ArrayList<>();
            List<Sent> fromB = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String id = accounts.get(i % accounts.size());
                // Interleaved on the same aggregates, so each gateway's consumer reads the other's results too.
                fromA.add(deposit(a, id, "a-" + i, 1));
                fromB.add(deposit(b, id, "b-" + i, 100));
            }
            for (List<Sent> sent : List.of(fromA, fromB)) {
                for (Sent s : sent) {
                    CommandResult result = s.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(result.getCommandId()).isEqualTo(s.commandId());
                    assertThat(result.getAggregateId()).isEqualTo(s.aggregateId());
                    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
                }
            }
            Map<String, List<Long>> versions = new HashMap<>();
            for (Sent s : concat(fromA, fromB)) {
                versions.computeIfAbsent(s.aggregateId(), k -> new ArrayList<>()).add(s.result().join().getVersion());
            }
            versions.values().forEach(seen -> assertThat(seen).containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(2, 31).boxed().toList()));
            Set<String> idsA = fromA.stream().map(Sent::commandId).collect(Collectors.toSet());
            assertThat(fromA).extracting(s -> s.result().join().getCommandId()).allMatch(idsA::contains);
        }
    }

    private static Sent deposit(CommandGateway via, String id, String commandId, long amount) {
        return new Sent(id, commandId, (int) amount, via.send(ACCOUNTS.name(), id, new Deposit(amount),
                SendOptions.defaults().withCommandId(commandId).withTimeout(WAIT)));
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
