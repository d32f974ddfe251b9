package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.OpenAccount;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.examples.Accounts;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.DependencyStatus;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that refuses or garbles the lookups of writer schemas (401, 403, 408, 429, a proxy's 404
 * page, 500, a 200 that is not JSON, a 200 that is not a schema) makes commands wait, never
 * {@code MALFORMED}: nothing is dead-lettered, the worker says since when it waits, and once the
 * registry answers every command is decided exactly once. Only "schema not found" (40403) is
 * {@code MALFORMED}. Every fault is met within one wait in place (RegistryWait's budget, half the
 * transaction timeout), with no stream thread replaced. The worker is fresh, so its writer-schema lookups really go to the registry.
 */
@ExtendWith(KafkaStack.class)
class RegistryFaultsIT {

    /** The accounts aggregate under a name of its own: its topics and subjects are this test's alone. */
    private static final AggregateType<AccountState> ACCOUNTS = AggregateType.builder("it_rf_accounts", AccountState.class, new Accounts())
            .command(OpenAccount.class, Creation.CREATES).command(Deposit.class)
            .events(AccountOpened.class, MoneyDeposited.class).build();
    private static final AggregateTopics TOPICS = AggregateTopics.of(ACCOUNTS.name());

    @Test
    void registryFaultsMakeCommandsWaitAndAfterRecoveryEachIsDecidedOnceWithNothingDeadLettered(
            KafkaStack.Endpoints stack, @TempDir Path stateDir) throws Exception {
        String run = "rf-" + Long.toString(System.nanoTime(), 36);
        try (FaultyRegistryProxy proxy = FaultyRegistryProxy.start(stack.registryUrl(), FaultyRegistryProxy.Fault.all());
             HttpSchemaRegistryClient throughProxy = new HttpSchemaRegistryClient(RegistryClientSettings.of(proxy.url()));
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers());
             // A transaction timeout of 30 s lets a record wait up to 15 s in place: long enough to meet
             // every fault in one wait, so the wait itself is what is tested.
             FoldstreamWorker worker = FacadeHttp.startWorker(stack, run, List.of(ACCOUNTS), 2, stateDir, throughProxy,
                     Map.of("commit.interval.ms", "50", "producer.transaction.timeout.ms", "30000"))) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90))).isTrue();
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            List<String> sent = new ArrayList<>();
            for (int account = 0; account < 4; account++) {
                String id = run + "-a" + account;
                sent.add(send(producer, codec, id, id + "-open", new OpenAccount("owner " + account)));
                sent.add(send(producer, codec, id, id + "-d1", new Deposit(10L)));
                sent.add(send(producer, codec, id, id + "-d2", new Deposit(5L)));
            }

            // Every kind of fault is met while the commands wait; the worker says why.
            await("every fault served and the worker waiting").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> proxy.served().size() == FaultyRegistryProxy.Fault.all().size()
                            && worker.registryHealth().status() instanceof DependencyStatus.Waiting);
            DependencyStatus.Waiting waiting = (DependencyStatus.Waiting) worker.registryHealth().status();
            assertThat(waiting.reason()).as("why it waits").isNotBlank();
            assertThat(waiting.failures()).isPositive();
            assertThat(ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.results()), run))
                    .as("no command is decided while the registry fails").isEmpty();
            assertThat(ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.dlq()), run)).as("dead letters").isEmpty();

            proxy.recover();
            byte[] unknownId = {0, 0x7f, (byte) 0xff, (byte) 0xff, 0x7f, 2};
            String malformed = run + "-a0-unknown-schema";
            producer.send(record(run + "-a0", malformed, unknownId)).get(30, TimeUnit.SECONDS);

            await("a result for every command").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.results()), run).size() >= sent.size() + 1);
            List<ConsumerRecord<byte[], byte[]>> results = ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.results()), run);
            List<ConsumerRecord<byte[], byte[]>> events = ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.events()), run);
            ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, results, events, key -> key.startsWith(run));
            List<String> all = new ArrayList<>(sent);
            all.add(malformed);
            checks.assertOneResultPerCommand(all);
            checks.assertEventsContiguousAndUnique();
            for (ConsumerRecord<byte[], byte[]> record : results) {
                CommandResult result = codec.decode(record.value(), CommandResult.class);
                Outcome expected = result.getCommandId().equals(malformed) ? Outcome.MALFORMED : Outcome.ACCEPTED;
                assertThat(result.getOutcome()).as(result.getCommandId() + ": " + result.getMessage()).isEqualTo(expected);
            }
            assertThat(events).as("one event per command").hasSize(sent.size());

            // Only "schema not found" is dead-lettered.
            List<ConsumerRecord<byte[], byte[]>> dead = ours(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.dlq()), run);
            assertThat(dead).extracting(r -> ExactlyOnceChecks.header(r, ContractHeaders.COMMAND_ID)).containsExactly(malformed);
            assertThat(ExactlyOnceChecks.header(dead.get(0), ContractHeaders.DLQ_ERROR)).contains("40403");
            assertThat(worker.registryHealth().status()).isInstanceOf(DependencyStatus.Available.class);
            assertThat(worker.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(worker.streams().metadataForLocalThreads()).extracting(t -> t.threadName())
                    .as("the wait happened in place: the first stream thread still runs").allMatch(name -> name.endsWith("StreamThread-1"));
        }
    }

    private static String send(KafkaProducer<String, byte[]> producer, AvroWireCodec codec, String aggregateId, String commandId,
                               org.apache.avro.specific.SpecificRecord command) throws Exception {
        byte[] value = codec.encode(foldstream.worker.serialization.SubjectNameStrategy.TOPIC_RECORD_NAME
                .subject(TOPICS.commands(), command.getSchema()), command);
        producer.send(record(aggregateId, commandId, value)).get(30, TimeUnit.SECONDS);
        return commandId;
    }

    private static ProducerRecord<String, byte[]> record(String aggregateId, String commandId, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(commandId));
        return new ProducerRecord<>(TOPICS.commands(), null, aggregateId, value, headers);
    }

    private static List<ConsumerRecord<byte[], byte[]>> ours(List<ConsumerRecord<byte[], byte[]>> records, String run) {
        return records.stream().filter(r -> r.key() != null && ExactlyOnceChecks.key(r).startsWith(run)).toList();
    }
}
