package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.examples.transfers.TransferState;
import foldstream.examples.transfers.TransferStatus;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.TransferProcess;
import foldstream.worker.examples.Transfers;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.process.runtime.ProcessSnapshotCodec;
import foldstream.worker.process.runtime.ProcessStores;
import foldstream.worker.process.runtime.ProcessTopology;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.StreamsSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transfer process's topology in {@code TopologyTestDriver}, wired by hand to a worker of
 * {@code ex_accounts} and {@code ex_transfers} in another driver: what the worker writes to events and
 * results goes to the process, what the process writes to commands goes to the worker, until both are
 * quiet. The real-broker proof is TransfersIT; this one is fast and controls the clock.
 */
class ProcessTopologyTest {

    private static final List<String> PROCESS_INPUTS = ProcessTopology.inputs(TransferProcess.type());
    private static final List<String> COMMANDS = List.of(AggregateTopics.of("ex_accounts").commands(),
            AggregateTopics.of("ex_transfers").commands());

    private final Worker worker = new Worker(List.of(Accounts.type(), Transfers.type()));
    private TopologyTestDriver process;
    private final Map<String, TestInputTopic<byte[], byte[]>> processInputs = new HashMap<>();
    private final Map<String, TestOutputTopic<byte[], byte[]>> processOutputs = new HashMap<>();
    private final Map<String, TestOutputTopic<byte[], byte[]>> workerOutputs = new HashMap<>();
    /** Every record the process was given: topic and headers. */
    private final List<Delivered> delivered = new ArrayList<>();

    private record Delivered(String topic, Map<String, String> headers) {
    }

    /** Every command the process sent, in order. */
    private final List<TestRecord<byte[], byte[]>> sent = new ArrayList<>();

    private void startProcess(ProcessType<?> type, ProcessOptions options) {
        Properties props = new Properties();
        props.putAll(StreamsSettings.defaults("process-test", "unused:9092"));
        process = new TopologyTestDriver(ProcessTopology.build(type, List.of(Accounts.type(), Transfers.type()), worker.codec, options, worker.clock), props, Worker.START);
        for (String topic : PROCESS_INPUTS) {
            processInputs.put(topic, process.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()));
            workerOutputs.put(topic, worker.driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        }
        for (String topic : COMMANDS) {
            processOutputs.put(topic, process.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        }
    }

    @AfterEach
    void close() {
        worker.close();
        if (process != null) {
            process.close();
        }
    }

    /** Moves records both ways until neither side writes anything. */
    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (String topic : PROCESS_INPUTS) {
                for (TestRecord<byte[], byte[]> record : workerOutputs.get(topic).readRecordsToList()) {
                    processInputs.get(topic).pipeInput(record);
                    delivered.add(new Delivered(topic, Worker.headers(record)));
                    moved = true;
                }
            }
            for (String topic : COMMANDS) {
                for (TestRecord<byte[], byte[]> command : processOutputs.get(topic).readRecordsToList()) {
                    sent.add(command);
                    String type = topic.substring(0, topic.length() - "-commands".length());
                    worker.sendRaw(type, command.key(), command.value(), headersOf(command));
                    moved = true;
                }
            }
        }
    }

    private void open(String account, long balance) {
        worker.send("ex_accounts", account, new OpenAccount("owner of " + account));
        if (balance > 0) {
            worker.send("ex_accounts", account, new Deposit(balance));
        }
    }

    private long balance(String account) {
        return worker.snapshot(Accounts.type(), account).state().getBalance();
    }

    private TransferState transfer(String id) {
        return worker.snapshot(Transfers.type(), id).state();
    }

    private ProcessSnapshot instance(String id) {
        KeyValueStore<String, byte[]> store = process.getKeyValueStore(ProcessStores.of(TransferProcess.NAME).instances());
        byte[] bytes = store.get(id);
        return bytes == null ? null : new ProcessSnapshotCodec().decode(bytes);
    }

    @Test
    void aTransferMovesTheMoneyAndCompletes() {
        startProcess(TransferProcess.type(), ProcessOptions.DEFAULTS);
        open("alice", 100);
        open("bob", 0);
        worker.send("ex_transfers", "T1", new RequestTransfer("alice", "bob", 30L), ContractHeaders.CORRELATION_ID, "corr-T1");
        settle();

        assertThat(balance("alice")).isEqualTo(70);
        assertThat(balance("bob")).isEqualTo(30);
        assertThat(transfer("T1").getStatus()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(instance("T1").getStatus()).isEqualTo(ProcessStatus.FINISHED);
        assertThat(instance("T1").getCommands()).extracting(c -> c.getCommandType().replaceAll(".*\\.", "") + " " + c.getOutcome())
                .containsExactly("Withdraw ACCEPTED", "Deposit ACCEPTED", "CompleteTransfer ACCEPTED");
        // Every command carries the request's correlation id and the process id; the first is caused by the event.
        assertThat(sent).hasSize(3).allSatisfy(command -> {
            Map<String, String> headers = Worker.headers(command);
            assertThat(headers).containsEntry(ContractHeaders.CORRELATION_ID, "corr-T1")
                    .containsEntry(ContractHeaders.PROCESS_ID, "transfer/T1").containsKey(ContractHeaders.COMMAND_ID);
        });
        String requested = delivered.stream().filter(r -> r.topic().equals("ex_transfers-events")).findFirst().orElseThrow()
                .headers().get(ContractHeaders.EVENT_ID);
        assertThat(Worker.headers(sent.get(0))).as("the withdrawal is caused by the request's event")
                .containsEntry(ContractHeaders.CAUSATION_ID, requested);
        assertThat(Worker.headers(sent.get(1))).as("the deposit is caused by the withdrawal's result")
                .containsEntry(ContractHeaders.CAUSATION_ID, Worker.headers(sent.get(0)).get(ContractHeaders.COMMAND_ID));
        // The worker copies process-id onto the results of the process's commands.
        assertThat(delivered).filteredOn(r -> r.topic().endsWith("-results") && r.headers().containsKey(ContractHeaders.PROCESS_ID))
                .hasSize(3).allSatisfy(r -> assertThat(r.headers()).containsEntry(ContractHeaders.PROCESS_ID, "transfer/T1"));
    }

    @Test
    void aDepositToAMissingAccountIsRefundedAndTheTransferFails() {
        startProcess(TransferProcess.type(), ProcessOptions.DEFAULTS);
        open("alice", 100);
        worker.send("ex_transfers", "T1", new RequestTransfer("alice", "nobody", 30L));
        settle();

        assertThat(balance("alice")).isEqualTo(100);
        assertThat(worker.snapshot(Accounts.type(), "nobody")).isNull();
        assertThat(transfer("T1").getStatus()).isEqualTo(TransferStatus.FAILED);
        assertThat(transfer("T1").getReason()).contains("NOT_FOUND", "refunded alice");
        assertThat(instance("T1").getStatus()).isEqualTo(ProcessStatus.FINISHED);
    }

    @Test
    void anOverdraftFailsTheTransferAndMovesNothing() {
        startProcess(TransferProcess.type(), ProcessOptions.DEFAULTS);
        open("alice", 10);
        open("bob", 0);
        worker.send("ex_transfers", "T1", new RequestTransfer("alice", "bob", 30L));
        settle();

        assertThat(balance("alice")).isEqualTo(10);
        assertThat(balance("bob")).isZero();
        assertThat(transfer("T1").getReason()).contains("INSUFFICIENT_FUNDS");
        assertThat(sent).extracting(c -> new String(c.key(), StandardCharsets.UTF_8)).containsExactly("alice", "T1");
        assertThat(worker.codec.decode(sent.get(0).value(), Withdraw.class)).isEqualTo(new Withdraw(30L));
    }

    @Test
    void theDeadlineFiresOnceByTheClockAndALateWithdrawalIsGivenBack() {
        startProcess(TransferProcess.type(), ProcessOptions.DEFAULTS);
        open("alice", 100);
        open("bob", 0);
        worker.send("ex_transfers", "T1", new RequestTransfer("alice", "bob", 30L));
        // The request reaches the process; its withdrawal is held back, as if the accounts' worker were down.
        for (TestRecord<byte[], byte[]> record : workerOutputs.get("ex_transfers-events").readRecordsToList()) {
            processInputs.get("ex_transfers-events").pipeInput(record);
        }
        workerOutputs.get("ex_accounts-results").readRecordsToList();
        List<TestRecord<byte[], byte[]>> withdrawal = processOutputs.get("ex_accounts-commands").readRecordsToList();
        assertThat(withdrawal).hasSize(1);

        worker.clock.advance(Duration.ofSeconds(29));
        process.advanceWallClockTime(Duration.ofSeconds(29));
        assertThat(processOutputs.get("ex_transfers-commands").readRecordsToList()).isEmpty();

        worker.clock.advance(Duration.ofSeconds(2));
        process.advanceWallClockTime(Duration.ofSeconds(2));
        List<TestRecord<byte[], byte[]>> fail = processOutputs.get("ex_transfers-commands").readRecordsToList();
        assertThat(fail).singleElement().satisfies(r -> assertThat(worker.codec.decode(r.value(), FailTransfer.class).getReason())
                .contains("no answer to the withdrawal"));
        worker.clock.advance(Duration.ofMinutes(5));
        process.advanceWallClockTime(Duration.ofMinutes(5));
        assertThat(processOutputs.get("ex_transfers-commands").readRecordsToList()).as("fired once").isEmpty();

        // Now the failure and the late withdrawal go through: the money comes back.
        worker.sendRaw("ex_transfers", fail.get(0).key(), fail.get(0).value(), headersOf(fail.get(0)));
        worker.sendRaw("ex_accounts", withdrawal.get(0).key(), withdrawal.get(0).value(), headersOf(withdrawal.get(0)));
        settle();
        assertThat(balance("alice")).isEqualTo(100);
        assertThat(balance("bob")).isZero();
        assertThat(transfer("T1").getStatus()).isEqualTo(TransferStatus.FAILED);
        assertThat(instance("T1").getStatus()).isEqualTo(ProcessStatus.FINISHED);
    }

    private static String[] headersOf(TestRecord<byte[], byte[]> record) {
        List<String> headers = new ArrayList<>();
        record.headers().forEach(h -> {
            headers.add(h.key());
            headers.add(new String(h.value(), StandardCharsets.UTF_8));
        });
        return headers.toArray(String[]::new);
    }

    @Test
    void aFinishedInstanceIsKeptForTheRetentionThenRemoved() {
        startProcess(TransferProcess.type(), ProcessOptions.DEFAULTS.withRetention(Duration.ofHours(1)));
        open("alice", 100);
        open("bob", 0);
        worker.send("ex_transfers", "T1", new RequestTransfer("alice", "bob", 30L));
        settle();
        assertThat(instance("T1").getStatus()).isEqualTo(ProcessStatus.FINISHED);

        worker.clock.advance(Duration.ofMinutes(59));
        process.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(instance("T1")).isNotNull();
        worker.clock.advance(Duration.ofMinutes(2));
        process.advanceWallClockTime(Duration.ofMinutes(2));
        assertThat(instance("T1")).isNull();
    }

    @Test
    void theWorkerCopiesProcessIdOntoTheResultAndOntoARepeatsResult() {
        worker.send("ex_accounts", "alice", new OpenAccount("Alice"), ContractHeaders.COMMAND_ID, "c1",
                ContractHeaders.PROCESS_ID, "transfer/T9");
        worker.send("ex_accounts", "alice", new OpenAccount("Alice"), ContractHeaders.COMMAND_ID, "c1",
                ContractHeaders.PROCESS_ID, "transfer/T9");
        worker.send("ex_accounts", "alice", new Deposit(5L), ContractHeaders.COMMAND_ID, "c2");
        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results).extracting(r -> r.headers().get(ContractHeaders.PROCESS_ID))
                .containsExactly("transfer/T9", "transfer/T9", null);
    }
}
