package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.EXPECTED_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.counters.Increment;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every outcome of docs/contract.md's table, with the result's fields filled as the contract says. */
class OutcomesTest {

    private final Worker worker = new Worker(ExampleTypes.all());

    @AfterEach
    void close() {
        worker.close();
    }

    @Test
    void acceptedCommandReportsTheNewVersionAndItsEvents() {
        worker.clock.advance(Duration.ofSeconds(5));
        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabel"), COMMAND_ID, "c1");

        CommandResult result = worker.result("ex_users");
        assertThat(result.getCommandId()).isEqualTo("c1");
        assertThat(result.getAggregateType()).isEqualTo("ex_users");
        assertThat(result.getAggregateId()).isEqualTo("u1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(result.getVersion()).isEqualTo(2);
        assertThat(result.getEventCount()).isEqualTo(2);
        assertThat(result.getErrorCode()).isNull();
        assertThat(result.getMessage()).isNull();
        assertThat(result.getViolations()).isEmpty();
        assertThat(result.getProcessedAt()).isEqualTo(Worker.START.plusSeconds(5));
        assertThat(worker.events("ex_users")).hasSize(2);
    }

    @Test
    void unchangingCommandIsNoChangeAtTheCurrentVersion() {
        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabel"));
        worker.results("ex_users");
        worker.events("ex_users");

        worker.send("ex_users", "u1", new UpdateProfile("Annabel"), COMMAND_ID, "same-name");

        CommandResult result = worker.result("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.NO_CHANGE);
        assertThat(result.getVersion()).isEqualTo(2);
        assertThat(result.getEventCount()).isZero();
        assertThat(result.getErrorCode()).isNull();
        assertThat(worker.events("ex_users")).isEmpty();
    }

    @Test
    void refusedCommandIsRejectedWithItsViolations() {
        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabel"));
        worker.results("ex_users");
        worker.events("ex_users");

        worker.send("ex_users", "u1", new UpdateProfile("Ann"));

        CommandResult result = worker.result("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.getVersion()).isEqualTo(2);
        assertThat(result.getEventCount()).isZero();
        assertThat(result.getErrorCode()).isEqualTo("INVALID_NAME");
        assertThat(result.getMessage()).isNotBlank();
        assertThat(result.getViolations()).extracting(FieldViolation::getField).containsExactly("name");
        assertThat(result.getViolations().get(0).getMessage()).contains("6");
        assertThat(worker.events("ex_users")).isEmpty();
    }

    @Test
    void overdraftAndNonPositiveAmountsAreRejected() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Deposit(100L));
        worker.send("ex_accounts", "a1", new Withdraw(101L));
        worker.send("ex_accounts", "a1", new Deposit(0L));
        worker.send("ex_accounts", "a1", new Withdraw(-5L));

        assertThat(worker.results("ex_accounts")).extracting(r -> r.result().getOutcome()).containsExactly(
                Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.REJECTED, Outcome.REJECTED, Outcome.REJECTED);
        assertThat(worker.snapshot(foldstream.worker.examples.Accounts.type(), "a1").state().getBalance()).isEqualTo(100L);
    }

    @Test
    void wrongExpectedVersionNamesBothVersions() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.results("ex_accounts");

        worker.send("ex_accounts", "a1", new Deposit(10L), EXPECTED_VERSION, "7");

        CommandResult result = worker.result("ex_accounts");
        assertThat(result.getOutcome()).isEqualTo(Outcome.WRONG_EXPECTED_VERSION);
        assertThat(result.getVersion()).isEqualTo(1);
        assertThat(result.getErrorCode()).isEqualTo("WRONG_EXPECTED_VERSION");
        assertThat(result.getMessage()).contains("expected version 7").contains("current version 1");
    }

    @Test
    void commandForAMissingAggregateIsNotFound() {
        worker.send("ex_accounts", "nobody", new Deposit(10L));

        CommandResult result = worker.result("ex_accounts");
        assertThat(result.getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(result.getVersion()).isZero();
        assertThat(result.getMessage()).contains("nobody");
        assertThat(worker.events("ex_accounts")).isEmpty();
    }

    @Test
    void creatingCommandForAnExistingAggregateIsAlreadyExists() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.results("ex_accounts");
        worker.events("ex_accounts");

        worker.send("ex_accounts", "a1", new OpenAccount("bob"));

        CommandResult result = worker.result("ex_accounts");
        assertThat(result.getOutcome()).isEqualTo(Outcome.ALREADY_EXISTS);
        assertThat(result.getVersion()).isEqualTo(1);
        assertThat(worker.events("ex_accounts")).isEmpty();
    }

    @Test
    void recordTypeTheAggregateDoesNotHandleIsUnknownCommand() {
        worker.send("ex_users", "u1", new Increment(1));

        CommandResult result = worker.result("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.UNKNOWN_COMMAND);
        assertThat(result.getMessage()).contains("foldstream.examples.counters.Increment");
        assertThat(result.getVersion()).isZero();
        assertThat(worker.raw("ex_users-dlq")).isEmpty();
    }

    @Test
    void unreadableCommandIsMalformedAndGoesToTheDeadLetterTopic() {
        worker.sendRaw("ex_users", "u1".getBytes(), new byte[] {1, 2, 3, 4, 5, 6}, COMMAND_ID, "bad-1");

        CommandResult result = worker.result("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.getCommandId()).isEqualTo("bad-1");
        assertThat(result.getAggregateId()).isEqualTo("u1");
        assertThat(result.getErrorCode()).isEqualTo("MALFORMED");
        assertThat(result.getMessage()).contains("magic byte");
        assertThat(worker.raw("ex_users-dlq")).hasSize(1);
    }

    @Test
    void eachTypeWritesOnlyToItsOwnTopics() {
        worker.send("ex_users", "x", new RegisterUser("x@example.com", "Xavier"));
        worker.send("ex_accounts", "x", new OpenAccount("x"));
        worker.send("ex_counters", "x", new Increment(3));

        for (String type : List.of("ex_users", "ex_accounts", "ex_counters")) {
            List<Worker.Result> results = worker.results(type);
            assertThat(results).hasSize(1);
            assertThat(results.get(0).result().getAggregateType()).isEqualTo(type);
            assertThat(results.get(0).result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(worker.events(type)).allSatisfy(e -> assertThat(e.event().getSchema().getNamespace())
                    .isEqualTo("foldstream.examples." + type.substring(3)));
        }
    }
}
