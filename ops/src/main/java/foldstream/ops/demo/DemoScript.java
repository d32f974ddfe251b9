package foldstream.ops.demo;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.examples.counters.Increment;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.protocol.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/**
 * The demo's commands: accepted ones and every kind of refusal the contract has, each with the
 * outcome it must get. Aggregate ids and command ids carry the run's tag, so a second run against
 * the same stack meets fresh aggregates.
 *
 * <pre>{@code
 * List<ScriptedCommand> steps = DemoScript.steps("7f3a");
 * }</pre>
 */
public final class DemoScript {

    private DemoScript() {
    }

    public static List<ScriptedCommand> steps(String run) {
        String alice = "alice-" + run;
        String account = "acc-" + run;
        String depositId = "demo-" + run + "-deposit";
        OptionalLong any = OptionalLong.empty();
        return List.of(
                step("Register " + alice, "ex_users", alice, run, 1, any,
                        new ScriptedCommand.Avro(new RegisterUser(alice + "@example.com", "Alice Liddell")), Outcome.ACCEPTED, 2),
                step("Register a user whose name is too short", "ex_users", "bob-" + run, run, 2, any,
                        new ScriptedCommand.Avro(new RegisterUser("bob@example.com", "Bob")), Outcome.REJECTED, 0),
                step("Register " + alice + " again", "ex_users", alice, run, 3, any,
                        new ScriptedCommand.Avro(new RegisterUser(alice + "@example.com", "Alice Liddell")), Outcome.ALREADY_EXISTS, 0),
                step("Update the profile of a user who does not exist", "ex_users", "carol-" + run, run, 4, any,
                        new ScriptedCommand.Avro(new UpdateProfile("Carol Ann")), Outcome.NOT_FOUND, 0),
                step("Update " + alice + " expecting version 1 (it is at 2)", "ex_users", alice, run, 5, OptionalLong.of(1),
                        new ScriptedCommand.Avro(new UpdateProfile("Alice Pleasance")), Outcome.WRONG_EXPECTED_VERSION, 0),
                step("Update " + alice + " expecting version 2", "ex_users", alice, run, 6, OptionalLong.of(2),
                        new ScriptedCommand.Avro(new UpdateProfile("Alice Pleasance")), Outcome.ACCEPTED, 1),
                step("Set the same name again", "ex_users", alice, run, 7, any,
                        new ScriptedCommand.Avro(new UpdateProfile("Alice Pleasance")), Outcome.NO_CHANGE, 0),
                step("Open account " + account, "ex_accounts", account, run, 8, any,
                        new ScriptedCommand.Avro(new OpenAccount(alice)), Outcome.ACCEPTED, 1),
                new ScriptedCommand("Deposit 100", "ex_accounts", account, depositId, any,
                        new ScriptedCommand.Avro(new Deposit(100L)), Outcome.ACCEPTED, 1),
                new ScriptedCommand("Deposit 100 again with the same command id (a retry)", "ex_accounts", account, depositId, any,
                        new ScriptedCommand.Avro(new Deposit(100L)), Outcome.ACCEPTED, 0),
                step("Withdraw 500 from a balance of 100", "ex_accounts", account, run, 11, any,
                        new ScriptedCommand.Avro(new Withdraw(500L)), Outcome.REJECTED, 0),
                step("Increment counter clicks-" + run + " by 5 (creates it)", "ex_counters", "clicks-" + run, run, 12, any,
                        new ScriptedCommand.Avro(new Increment(5)), Outcome.ACCEPTED, 1),
                step("Increment it by 0", "ex_counters", "clicks-" + run, run, 13, any,
                        new ScriptedCommand.Avro(new Increment(0)), Outcome.NO_CHANGE, 0),
                step("Send an accounts command to ex_users-commands", "ex_users", alice, run, 14, any,
                        new ScriptedCommand.Avro(new OpenAccount("alice")), Outcome.UNKNOWN_COMMAND, 0),
                step("Send bytes that are not Avro", "ex_users", "mallory-" + run, run, 15, any,
                        new ScriptedCommand.Raw("this is not avro".getBytes(StandardCharsets.UTF_8)), Outcome.MALFORMED, 0),
                step("Request a transfer of 30 from " + account + " to an account that does not exist (the transfer process"
                        + " withdraws, is refused the deposit, gives the money back and fails the transfer)", "ex_transfers",
                        "transfer-" + run, run, 16, any,
                        new ScriptedCommand.Avro(new RequestTransfer(account, "nobody-" + run, 30L)), Outcome.ACCEPTED, 1));
    }

    private static ScriptedCommand step(String title, String type, String id, String run, int number, OptionalLong expectedVersion,
                                        ScriptedCommand.Payload payload, Outcome expected, int newEvents) {
        return new ScriptedCommand(title, type, id, "demo-" + run + "-" + number, expectedVersion, payload, expected, newEvents);
    }
}
