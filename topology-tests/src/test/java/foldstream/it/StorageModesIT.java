package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.Accounts;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gen_aggregate's storage modes on the real broker: what each keeps, and how the states come back
 * when a worker loses its state directory or another instance takes its partitions over.
 */
@ExtendWith(KafkaStack.class)
class StorageModesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaStack.Endpoints stack;
    private static HttpSchemaRegistryClient registry;
    private static AvroWireCodec codec;

    @BeforeAll
    static void connect(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        codec = new AvroWireCodec(registry, true);
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    private static AggregateType<AccountState> accounts(String name, StorageMode mode) {
        return AggregateType.builder(name, AccountState.class, new Accounts())
                .command(OpenAccount.class, Creation.CREATES).command(Deposit.class).command(Withdraw.class)
                .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class)
                .storageMode(mode).build();
    }

    private static CommandGateway gateway(AggregateType<?> type) {
        return new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec, List.of(type.name()));
    }

    /** What the test expects of each account: its balance and version. */
    static final class Ledger {
        record Account(long balance, long version) {
        }

        final Map<String, Account> accounts = new LinkedHashMap<>();
    }

    /** Sends one command to each of these accounts at once and checks each outcome and version. */
    private static void sendToAll(CommandGateway gateway, AggregateType<?> type, Ledger ledger, List<String> ids,
                                  Function<String, SpecificRecord> command, Outcome outcome,
                                  BiFunction<String, Ledger.Account, Ledger.Account> after) {
        Map<String, CompletableFuture<CommandResult>> sent = new LinkedHashMap<>();
        for (String id : ids) {
            sent.put(id, gateway.send(type.name(), id, command.apply(id), SendOptions.defaults().withTimeout(WAIT)));
        }
        sent.forEach((id, future) -> {
            CommandResult result = future.orTimeout(WAIT.toSeconds() + 5, TimeUnit.SECONDS).join();
            Ledger.Account before = ledger.accounts.getOrDefault(id, new Ledger.Account(0, 0));
            Ledger.Account expected = after.apply(id, before);
            assertThat(result.getOutcome() + "@" + result.getVersion()).as(id + " " + command.apply(id))
                    .isEqualTo(outcome + "@" + expected.version());
            ledger.accounts.put(id, expected);
        });
    }

    /** Opens the accounts, then deposits and withdraws: each ends at version 4 with its own balance. */
    private static Ledger openAndUse(CommandGateway gateway, AggregateType<?> type, List<String> ids) {
        Ledger ledger = new Ledger();
        sendToAll(gateway, type, ledger, ids, id -> new OpenAccount("owner of " + id), Outcome.ACCEPTED,
                (id, a) -> new Ledger.Account(0, 1));
        sendToAll(gateway, type, ledger, ids, id -> new Deposit(amount(ids, id)), Outcome.ACCEPTED,
                (id, a) -> new Ledger.Account(a.balance() + amount(ids, id), a.version() + 1));
        sendToAll(gateway, type, ledger, ids, id -> new Deposit(5L), Outcome.ACCEPTED,
                (id, a) -> new Ledger.Account(a.balance() + 5, a.version() + 1));
        sendToAll(gateway, type, ledger, ids, id -> new Withdraw(3L), Outcome.ACCEPTED,
                (id, a) -> new Ledger.Account(a.balance() - 3, a.version() + 1));
        return ledger;
    }

    /** A different first deposit for each account: 10, 20, 30, .... */
    private static long amount(List<String> ids, String id) {
        return 10L * (1 + ids.indexOf(id));
    }

    /**
     * Proves each account's balance and version are what the ledger says, by deciding against them: a
     * withdrawal of one more than the balance is refused, naming the balance, at the current version;
     * a withdrawal of the whole balance is accepted as the next version; then a deposit follows it.
     */
    private static void continuesFromTheLedger(CommandGateway gateway, AggregateType<?> type, Ledger ledger) {
        List<String> ids = List.copyOf(ledger.accounts.keySet());
        Map<String, CompletableFuture<CommandResult>> tooMuch = new LinkedHashMap<>();
        ids.forEach(id -> tooMuch.put(id, gateway.send(type.name(), id, new Withdraw(ledger.accounts.get(id).balance() + 1),
                SendOptions.defaults().withTimeout(WAIT))));
        tooMuch.forEach((id, future) -> {
            CommandResult result = future.orTimeout(WAIT.toSeconds() + 5, TimeUnit.SECONDS).join();
            Ledger.Account account = ledger.accounts.get(id);
            assertThat(result.getOutcome() + "@" + result.getVersion()).as(id).isEqualTo("REJECTED@" + account.version());
            assertThat(result.getViolations()).as(id)
                    .containsExactly(new FieldViolation("amount", "must not exceed the balance of " + account.balance()));
        });
        sendToAll(gateway, type, ledger, ids, id -> new Withdraw(ledger.accounts.get(id).balance()), Outcome.ACCEPTED,
                (id, a) -> new Ledger.Account(0, a.version() + 1));
        sendToAll(gateway, type, ledger, ids, id -> new Deposit(7L), Outcome.ACCEPTED, (id, a) -> new Ledger.Account(7, a.version() + 1));
    }

    /**
     * The instance's store holds each account's state and version as the ledger says, soon after it
     * (re)starts and before any command reaches it: what interactive queries answer.
     */
    private static void queriesSeeTheLedger(InProcessWorker worker, AggregateType<AccountState> type, Ledger ledger,
                                            Iterable<String> ids) {
        for (String id : ids) {
            Snapshot<AccountState> snapshot = await(id + " in the store").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50)).until(() -> worker.snapshot(type, id), found -> found != null);
            assertThat(snapshot.version()).as(id).isEqualTo(ledger.accounts.get(id).version());
            assertThat(snapshot.state()).as(id).isEqualTo(new AccountState("owner of " + id, ledger.accounts.get(id).balance()));
        }
    }

    /** Every aggregate's events on S-events run 1, 2, 3, ... up to its version in the ledger. */
    private static void eventsAreContiguous(AggregateType<?> type, Ledger ledger) {
        Map<String, List<Long>> versions = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> event : InProcessWorker.readCommitted(stack, AggregateTopics.of(type.name()).events())) {
            versions.computeIfAbsent(new String(event.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(Long.parseLong(ContractHeaders.text(event.headers(), ContractHeaders.AGGREGATE_VERSION)));
        }
        assertThat(versions.keySet()).isEqualTo(ledger.accounts.keySet().stream().collect(Collectors.toCollection(TreeSet::new)));
        ledger.accounts.forEach((id, account) -> assertThat(versions.get(id)).as(id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, account.version()).boxed().toList()));
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            return admin.listTopics().names().get();
        }
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    @Test
    void eventsOnlyRebuildsItsStatesFromTheEventsAfterLosingTheStateDirectory(@TempDir Path disk) throws Exception {
        AggregateType<AccountState> type = accounts("it_sm_eo_accounts", StorageMode.EVENTS_ONLY);
        String app = "it-storage-events-only";
        InProcessWorker.createTopics(stack, 3, List.of(type));
        Path first = disk.resolve("first");
        Ledger ledger;
        try (CommandGateway gateway = gateway(type)) {
            try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(type)).partitions(3).stateDir(first).start()) {
                ledger = openAndUse(gateway, type, ids("eo", 12));
            }
            InProcessWorker.deleteRecursively(first);
            assertThat(first).doesNotExist();

            try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(type)).partitions(3)
                    .stateDir(disk.resolve("second")).start()) {
                // Before any command: the states are rebuilt for queries too.
                queriesSeeTheLedger(worker, type, ledger, ledger.accounts.keySet());
                continuesFromTheLedger(gateway, type, ledger);
                Snapshot<AccountState> snapshot = worker.snapshot(type, "eo-3");
                assertThat(snapshot.version()).isEqualTo(6);
                assertThat(snapshot.state()).isEqualTo(new AccountState("owner of eo-3", 7L));
                assertThat(worker.failures()).isEmpty();
            }
        }
        eventsAreContiguous(type, ledger);
        // The states could only have come from the events: pure event sourcing keeps no snapshot changelog.
        assertThat(topics()).contains(app + "-it_sm_eo_accounts-command-ids-changelog")
                .doesNotContain(app + "-it_sm_eo_accounts-snapshots-changelog");
    }

    @Test
    void eventsOnlyOnAnInstanceThatTakesPartitionsOverRebuildsThemFromTheEvents() throws Exception {
        AggregateType<AccountState> type = accounts("it_sm_eo_takeover", StorageMode.EVENTS_ONLY);
        String app = "it-storage-takeover";
        int partitions = 4;
        InProcessWorker.createTopics(stack, partitions, List.of(type));
        List<String> ids = ids("to", 16);
        try (CommandGateway gateway = gateway(type);
             InProcessWorker a = InProcessWorker.with(stack, app, List.of(type)).partitions(partitions).start();
             InProcessWorker b = InProcessWorker.with(stack, app, List.of(type)).partitions(partitions).start()) {
            await("the partitions shared by both instances").atMost(WAIT).until(() ->
                    a.streams().state() == KafkaStreams.State.RUNNING
                            && b.streams().state() == KafkaStreams.State.RUNNING
                            && !a.activePartitions(type.name()).isEmpty() && !b.activePartitions(type.name()).isEmpty()
                            && a.activePartitions(type.name()).size() + b.activePartitions(type.name()).size() == partitions);
            Set<Integer> leaving = a.activePartitions(type.name());
            List<String> movingAccounts = ids.stream()
                    .filter(id -> leaving.contains(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions))
                    .toList();
            assertThat(movingAccounts).as("accounts on the partitions that move").isNotEmpty();

            Ledger ledger = openAndUse(gateway, type, ids);
            a.close();
            await("b owns every partition").atMost(WAIT).until(() ->
                    b.streams().state() == KafkaStreams.State.RUNNING
                            && b.activePartitions(type.name()).size() == partitions);
            queriesSeeTheLedger(b, type, ledger, movingAccounts);

            continuesFromTheLedger(gateway, type, ledger);
            assertThat(b.snapshot(type, movingAccounts.get(0)).version()).isEqualTo(6);
            assertThat(a.failures()).isEmpty();
            assertThat(b.failures()).isEmpty();
            eventsAreContiguous(type, ledger);
        }
    }

    @Test
    void snapshotsOnlyWritesNoEventsPublishesItsStatesAndRestoresThemFromTheChangelog(@TempDir Path disk) throws Exception {
        AggregateType<AccountState> type = accounts("it_sm_so_accounts", StorageMode.SNAPSHOTS_ONLY);
        String app = "it-storage-snapshots-only";
        AggregateTopics topics = AggregateTopics.of(type.name());
        InProcessWorker.createTopics(stack, 2, List.of(type));
        Path first = disk.resolve("first");
        List<String> ids = ids("so", 10);
        try (CommandGateway gateway = gateway(type)) {
            Ledger ledger;
            try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(type)).partitions(2).stateDir(first).start()) {
                ledger = openAndUse(gateway, type, ids);
            }
            assertThat(InProcessWorker.readCommitted(stack, topics.events())).as("events written").isEmpty();

            Map<String, List<ConsumerRecord<byte[], byte[]>>> published = InProcessWorker.readCommitted(stack, topics.state()).stream()
                    .collect(Collectors.groupingBy(r -> new String(r.key(), StandardCharsets.UTF_8), TreeMap::new, Collectors.toList()));
            assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            published.forEach((id, states) -> {
                List<Long> versions = states.stream()
                        .map(r -> Long.parseLong(ContractHeaders.text(r.headers(), ContractHeaders.AGGREGATE_VERSION))).toList();
                assertThat(versions).as(id).isSorted().doesNotHaveDuplicates().last().isEqualTo(ledger.accounts.get(id).version());
                assertThat(codec.decode(states.get(states.size() - 1).value(), AccountState.class)).as(id)
                        .isEqualTo(new AccountState("owner of " + id, ledger.accounts.get(id).balance()));
            });

            InProcessWorker.deleteRecursively(first);
            try (InProcessWorker worker = InProcessWorker.with(stack, app, List.of(type)).partitions(2)
                    .stateDir(disk.resolve("second")).start()) {
                // Before any command: the store is back from the changelog.
                for (String id : ids) {
                    Snapshot<AccountState> restored = worker.snapshot(type, id);
                    assertThat(restored).as(id).isNotNull();
                    assertThat(restored.version()).isEqualTo(ledger.accounts.get(id).version());
                    assertThat(restored.state()).isEqualTo(new AccountState("owner of " + id, ledger.accounts.get(id).balance()));
                }
                continuesFromTheLedger(gateway, type, ledger);
                assertThat(worker.failures()).isEmpty();
            }
            assertThat(InProcessWorker.readCommitted(stack, topics.events())).as("events written").isEmpty();
        }
        assertThat(topics()).contains(app + "-it_sm_so_accounts-snapshots-changelog");
        // Closed segments are what Kafka compacts: a takeover reads one snapshot per aggregate and the newest segments.
        for (String store : List.of("snapshots", "held")) {
            assertThat(config(app + "-it_sm_so_accounts-" + store + "-changelog")).as(store)
                    .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                    .containsEntry(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024))
                    .containsEntry(TopicConfig.SEGMENT_MS_CONFIG, "3600000");
        }
        // Answered commands' keys are all distinct: compaction would only copy them.
        assertThat(config(app + "-it_sm_so_accounts-command-ids-changelog"))
                .containsEntry(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(1024 * 1024 * 1024));
    }

    /** The topic's settings, as the broker reports them (its defaults included). */
    private static Map<String, String> config(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                    .filter(entry -> entry.value() != null)
                    .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        }
    }
}
