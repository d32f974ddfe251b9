package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.EXPECTED_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.counters.Increment;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expected-version header (absent or -1, 0, N) and the creation rules. */
class RulesTest {

    private final Worker worker = new Worker(ExampleTypes.all());

    @AfterEach
    void close() {
        worker.close();
    }

    private CommandResult deposit(String expected) {
        if (expected == null) {
            worker.send("ex_accounts", "a1", new Deposit(1L));
        } else {
            worker.send("ex_accounts", "a1", new Deposit(1L), EXPECTED_VERSION, expected);
        }
        return worker.result("ex_accounts");
    }

    @ParameterizedTest(name = "expected-version {0} at version 2: {1}")
    @CsvSource({"'', ACCEPTED", "-1, ACCEPTED", "2, ACCEPTED", "0, WRONG_EXPECTED_VERSION",
            "1, WRONG_EXPECTED_VERSION", "3, WRONG_EXPECTED_VERSION"})
    void expectedVersionOnAnExistingAggregate(String expected, Outcome outcome) {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Deposit(1L));
        worker.results("ex_accounts");

        CommandResult result = deposit(expected.isEmpty() ? null : expected);
        assertThat(result.getOutcome()).isEqualTo(outcome);
        assertThat(result.getVersion()).isEqualTo(outcome == Outcome.ACCEPTED ? 3 : 2);
    }

    @Test
    void expectedVersionZeroMeansTheAggregateMustNotExistYet() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), EXPECTED_VERSION, "0");
        assertThat(worker.result("ex_accounts").getOutcome()).isEqualTo(Outcome.ACCEPTED);

        worker.send("ex_counters", "c1", new Increment(1), EXPECTED_VERSION, "0");
        assertThat(worker.result("ex_counters").getOutcome()).isEqualTo(Outcome.ACCEPTED);
        worker.send("ex_counters", "c1", new Increment(1), EXPECTED_VERSION, "0");
        CommandResult second = worker.result("ex_counters");
        assertThat(second.getOutcome()).isEqualTo(Outcome.WRONG_EXPECTED_VERSION);
        assertThat(second.getMessage()).contains("expected version 0").contains("current version 1");
    }

    @ParameterizedTest
    @CsvSource({"x", "1.5", "-2", "' '"})
    void unreadableExpectedVersionIsMalformed(String header) {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), EXPECTED_VERSION, header);
        CommandResult result = worker.result("ex_accounts");
        assertThat(result.getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.getMessage()).contains("expected-version");
        assertThat(worker.raw("ex_accounts-dlq")).hasSize(1);
    }

    @Test
    void commandThatTakesEitherCreatesOnFirstUseAndUpdatesAfter() {
        worker.send("ex_counters", "c1", new Increment(2));
        worker.send("ex_counters", "c1", new Increment(3));
        assertThat(worker.results("ex_counters")).extracting(r -> r.result().getOutcome() + "@" + r.result().getVersion())
                .containsExactly("ACCEPTED@1", "ACCEPTED@2");
    }

    @Test
    void creatingAndExistingRulesHoldWhateverTheExpectedVersion() {
        worker.send("ex_accounts", "a1", new Deposit(1L), EXPECTED_VERSION, "0");
        assertThat(worker.result("ex_accounts").getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), EXPECTED_VERSION, "1");
        assertThat(worker.results("ex_accounts")).extracting(r -> r.result().getOutcome())
                .containsExactly(Outcome.ACCEPTED, Outcome.ALREADY_EXISTS);
    }
}
