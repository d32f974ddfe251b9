package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answered-command store has no changelog: a worker that lost its state directory writes its
 * answers back from {@code S-results}. Its duplicates then get the first result's exact bytes and
 * write nothing; a command that FAILED is decided afresh.
 */
@ExtendWith(KafkaStack.class)
class AnswersFromResultsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AggregateType<AccountState> ACCOUNTS = AggregateType.builder("it_ar_accounts", AccountState.class, new Accounts())
            .command(OpenAccount.class, Creation.CREATES).command(Deposit.class).command(Withdraw.class)
            .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class).build();
    private static final AggregateType<CounterState> COUNTERS = AggregateType.builder("it_ar_counters", CounterState.class, new Counters())
            .command(Increment.class, Creation.EITHER).events(Incremented.class).build();

    /** One command with its id, aggregate and the outcome it gets. */
    private record Sent(String commandId, AggregateType<?> type, String aggregateId, SpecificRecord command, Outcome outcome) {
    }

    private static final List<Sent> COMMANDS = List.of(
            new Sent("open-1", ACCOUNTS, "a1", new OpenAccount("ann"), Outcome.ACCEPTED),
            new Sent("dep-1", ACCOUNTS, "a1", new Deposit(10L), Outcome.ACCEPTED),
            new Sent("wd-1", ACCOUNTS, "a1", new Withdraw(50L), Outcome.REJECTED),
            new Sent("overflow-1", ACCOUNTS, "a1", new Deposit(Long.MAX_VALUE), Outcome.FAILED),
            new Sent("zero-1", COUNTERS, "c1", new Increment(0), Outcome.NO_CHANGE));

    @Test
    void aWorkerThatLostItsStateDirectoryAnswersDuplicatesWithTheFirstResults(KafkaStack.Endpoints stack, @TempDir Path disk)
            throws Exception {
        String app = "it-answers-from-results";
        List<AggregateType<?>> types = List.of(ACCOUNTS, COUNTERS);
        InProcessWorker.createTopics(stack, 2, types);
        Path first = disk.resolve("first");
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()),
                     new AvroWireCodec(registry, true), List.of(ACCOUNTS.name(), COUNTERS.name()))) {
            try (InProcessWorker worker = InProcessWorker.with(stack, app, types).partitions(2).stateDir(first).start()) {
                sendAll(gateway);
                assertThat(worker.failures()).isEmpty();
            }
            InProcessWorker.deleteRecursively(first);
            try (InProcessWorker worker = InProcessWorker.with(stack, app, types).partitions(2).stateDir(disk.resolve("second")).start()) {
                sendAll(gateway);
                assertThat(worker.failures()).isEmpty();
            }
        }

        Map<String, List<byte[]>> results = new LinkedHashMap<>();
        for (AggregateType<?> type : types) {
            for (ConsumerRecord<byte[], byte[]> record : InProcessWorker.readCommitted(stack, AggregateTopics.of(type.name()).results())) {
                String id = new String(record.headers().lastHeader(ContractHeaders.COMMAND_ID).value(), StandardCharsets.UTF_8);
                results.computeIfAbsent(id, k -> new ArrayList<>()).add(record.value());
            }
        }
        for (Sent sent : COMMANDS) {
            List<byte[]> answers = results.get(sent.commandId());
            assertThat(answers).as(sent.commandId()).hasSize(2);
            if (sent.outcome() == Outcome.FAILED) {
                assertThat(answers.get(1)).as("decided afresh, at another time").isNotEqualTo(answers.get(0));
            } else {
                assertThat(answers.get(1)).as(sent.commandId() + ": the first result again, byte for byte").isEqualTo(answers.get(0));
            }
        }
        assertThat(InProcessWorker.readCommitted(stack, AggregateTopics.of(ACCOUNTS.name()).events())).as("open and deposit, once").hasSize(2);
        assertThat(InProcessWorker.readCommitted(stack, AggregateTopics.of(COUNTERS.name()).events())).isEmpty();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).as("no changelog of answered commands")
                    .doesNotContain(app + "-" + ACCOUNTS.name() + "-command-ids-changelog");
        }
    }

    /** Sends the commands one after another, each once its result is back, checking each outcome. */
    private static void sendAll(CommandGateway gateway) {
        for (Sent sent : COMMANDS) {
            CommandResult result = gateway.send(sent.type().name(), sent.aggregateId(), sent.command(),
                    SendOptions.defaults().withCommandId(sent.commandId()).withTimeout(WAIT)).orTimeout(WAIT.toSeconds() + 5, TimeUnit.SECONDS).join();
            assertThat(result.getOutcome()).as(sent.commandId()).isEqualTo(sent.outcome());
        }
    }
}
