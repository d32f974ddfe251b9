package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.CORRELATION_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.ProcessingOptions;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A command id seen before gets its first result again and writes nothing. */
class IdempotencyTest {

    private Worker worker = new Worker(ExampleTypes.all());

    @AfterEach
    void close() {
        worker.close();
    }

    @Test
    void duplicateGetsTheFirstResultAndNoSecondEvents() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1", CORRELATION_ID, "retry");

        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results).hasSize(3);
        assertThat(results.get(2).bytes()).isEqualTo(results.get(1).bytes());
        assertThat(results.get(2).headers()).containsEntry(COMMAND_ID, "dep-1").containsEntry(CORRELATION_ID, "retry");
        assertThat(worker.events("ex_accounts")).hasSize(2);
        assertThat(worker.snapshot(Accounts.type(), "a1").state().getBalance()).isEqualTo(10L);
    }

    @Test
    void duplicateAfterOtherCommandsStillGetsTheFirstResult() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");
        worker.send("ex_accounts", "a1", new Deposit(5L), COMMAND_ID, "dep-2");
        worker.send("ex_accounts", "a2", new OpenAccount("bob"), COMMAND_ID, "open-2");
        worker.send("ex_accounts", "a1", new Withdraw(3L), COMMAND_ID, "wd-1");
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");

        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results).hasSize(6);
        assertThat(results.get(5).result().getVersion()).isEqualTo(2);
        assertThat(results.get(5).bytes()).isEqualTo(results.get(1).bytes());
        assertThat(worker.events("ex_accounts")).hasSize(5);
        assertThat(worker.snapshot(Accounts.type(), "a1").state().getBalance()).isEqualTo(12L);
    }

    @Test
    void refusalsAreRememberedToo() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Withdraw(10L), COMMAND_ID, "wd");
        worker.send("ex_accounts", "a1", new Deposit(50L));
        worker.send("ex_accounts", "a1", new Withdraw(10L), COMMAND_ID, "wd");

        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results.get(1).result().getOutcome()).isEqualTo(Outcome.REJECTED);
        assertThat(results.get(3).bytes()).isEqualTo(results.get(1).bytes());
        assertThat(worker.snapshot(Accounts.type(), "a1").state().getBalance()).isEqualTo(50L);
    }

    @Test
    void theSameCommandIdOnAnotherAggregateIsAnotherCommand() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open");
        worker.send("ex_accounts", "a2", new OpenAccount("bob"), COMMAND_ID, "open");

        assertThat(worker.results("ex_accounts")).extracting(r -> r.result().getOutcome())
                .containsExactly(Outcome.ACCEPTED, Outcome.ACCEPTED);
        assertThat(worker.events("ex_accounts")).extracting(Worker.Event::key).containsExactly("a1", "a2");
    }

    @Test
    void aTaskThatLostItsAnswersGetsThemBackFromItsResults() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");
        worker.send("ex_accounts", "a1", new Withdraw(50L), COMMAND_ID, "wd-1");
        worker.send("ex_accounts", "a1", new Deposit(Long.MAX_VALUE), COMMAND_ID, "overflow-1");
        List<Worker.Result> first = worker.results("ex_accounts");
        assertThat(first).extracting(r -> r.result().getOutcome())
                .containsExactly(Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.REJECTED, Outcome.FAILED);
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> onResults = new java.util.ArrayList<>();
        for (Worker.Result result : first) {
            onResults.add(new org.apache.kafka.clients.consumer.ConsumerRecord<>("ex_accounts-results", 0, onResults.size(),
                    result.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), result.bytes()));
        }
        worker.close();

        // Another instance, its state directory empty: the answers come back from S-results, not from a changelog.
        worker = new Worker(ExampleTypes.all(), ProcessingOptions.DEFAULTS, (config, topic, partition, each) -> {
            if (topic.equals("ex_accounts-results")) {
                onResults.forEach(each);
            }
        }, worker.registry);
        worker.clock.advance(Duration.ofMinutes(1));
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");
        worker.send("ex_accounts", "a1", new Withdraw(50L), COMMAND_ID, "wd-1");
        worker.send("ex_accounts", "a1", new Deposit(Long.MAX_VALUE), COMMAND_ID, "overflow-1");

        List<Worker.Result> again = worker.results("ex_accounts");
        assertThat(again.get(0).bytes()).isEqualTo(first.get(1).bytes());
        assertThat(again.get(1).bytes()).isEqualTo(first.get(2).bytes());
        assertThat(again.get(2).result().getProcessedAt()).as("FAILED is decided afresh")
                .isEqualTo(Worker.START.plus(Duration.ofMinutes(1)));
        assertThat(worker.events("ex_accounts")).isEmpty();
    }

    @Test
    void afterTheRetentionACommandIdIsForgotten() {
        worker.close();
        worker = new Worker(ExampleTypes.all(), new ProcessingOptions(Duration.ofMinutes(1), 100, Duration.ofMinutes(5)));
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep");
        // Stream time moves with record timestamps; a later command pushes the first one out of the window.
        worker.clock.advance(Duration.ofHours(1));
        worker.send("ex_accounts", "a2", new OpenAccount("bob"));
        worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep");

        assertThat(worker.results("ex_accounts")).extracting(r -> r.result().getOutcome() + "@" + r.result().getVersion())
                .containsExactly("ACCEPTED@1", "ACCEPTED@2", "ACCEPTED@1", "ACCEPTED@3");

        // The sweep deletes the expired answer (a1's opening); the fresh ones stay (dep, answered again, and a2's opening).
        KeyValueStore<String, byte[]> answers = worker.driver.getKeyValueStore("ex_accounts-command-ids");
        assertThat(count(answers)).isEqualTo(3);
        worker.driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(count(answers)).isEqualTo(2);
    }

    private static int count(KeyValueStore<String, byte[]> store) {
        int n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                if (!all.next().key.startsWith("\u0000")) { // the store's epoch, not an answer
                    n++;
                }
            }
        }
        return n;
    }
}
