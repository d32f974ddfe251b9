package foldstream.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.transfers.CompleteTransfer;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.TransferProcessState;
import foldstream.examples.transfers.TransferRequested;
import foldstream.examples.transfers.TransferStage;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.TransferProcess;
import foldstream.worker.testing.ProcessFixture;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transfer process through its fixture: every path of the money, the deadline, and the fixture's own rules. */
class TransferProcessTest {

    private static final TransferRequested TEN = new TransferRequested("alice", "bob", 10L);

    private static ProcessFixture<TransferProcessState> fixture() {
        return ProcessFixture.of(TransferProcess.type());
    }

    @Test
    void aRequestWithdrawsFromTheSenderAndSetsTheDeadline() {
        fixture().whenEvent("ex_transfers", "T1", TEN)
                .expectCommands(SendCommand.to("ex_accounts", "alice", new Withdraw(10L)))
                .expectDeadline("withdrawal", TransferProcess.WITHDRAWAL_TIMEOUT)
                .expectRunning();
    }

    @Test
    void theHappyPathDepositsThenCompletesThenFinishes() {
        fixture().givenEvent("ex_transfers", "T1", TEN)
                .whenResult(Withdraw.class, Outcome.ACCEPTED)
                .expectCommands(SendCommand.to("ex_accounts", "bob", new Deposit(10L)))
                .expectDeadlines()
                .whenResult(Deposit.class, Outcome.ACCEPTED)
                .expectCommands(SendCommand.to("ex_transfers", "T1", new CompleteTransfer()))
                .expectRunning()
                .whenResult(CompleteTransfer.class, Outcome.ACCEPTED)
                .expectNoCommands()
                .expectFinished();
    }

    @Test
    void aRefusedWithdrawalFailsTheTransfer() {
        ProcessFixture<TransferProcessState>.Then then = fixture().givenEvent("ex_transfers", "T1", TEN)
                .whenResult(Withdraw.class, Outcome.REJECTED, "INSUFFICIENT_FUNDS", "the balance is 3")
                .expectDeadlines();
        assertThat(then.commands()).hasSize(1);
        FailTransfer fail = (FailTransfer) then.commands().get(0).command();
        assertThat(fail.getReason()).contains("withdrawal from alice refused", "INSUFFICIENT_FUNDS");
        then.whenResult(FailTransfer.class, Outcome.ACCEPTED).expectFinished();
    }

    @Test
    void aRefusedDepositRefundsTheSenderThenFailsTheTransfer() {
        ProcessFixture<TransferProcessState>.Then then = fixture().givenEvent("ex_transfers", "T1", TEN)
                .givenResult(Withdraw.class, Outcome.ACCEPTED)
                .whenResult(Deposit.class, Outcome.NOT_FOUND)
                .expectCommands(SendCommand.to("ex_accounts", "alice", new Deposit(10L)))
                .whenResult(Deposit.class, Outcome.ACCEPTED);
        FailTransfer fail = (FailTransfer) then.commands().get(0).command();
        assertThat(fail.getReason()).contains("deposit to bob refused: NOT_FOUND", "refunded alice");
        then.expectRunning().whenResult(FailTransfer.class, Outcome.ACCEPTED).expectFinished();
    }

    @Test
    void noAnswerInTimeFailsTheTransferAndALateWithdrawalIsGivenBack() {
        ProcessFixture<TransferProcessState> fixture = fixture();
        fixture.givenEvent("ex_transfers", "T1", TEN)
                .whenTimeElapses(Duration.ofSeconds(29))
                .expectNoCommands();
        ProcessFixture<TransferProcessState>.Then timedOut = fixture.whenTimeElapses(Duration.ofSeconds(1));
        assertThat(timedOut.commands()).extracting(SendCommand::command).singleElement()
                .isEqualTo(new FailTransfer("no answer to the withdrawal within PT30S"));
        timedOut.expectDeadlines()
                .whenResult(FailTransfer.class, Outcome.ACCEPTED).expectRunning()   // the withdrawal is still on its way
                .whenResult(Withdraw.class, Outcome.ACCEPTED)
                .expectCommands(SendCommand.to("ex_accounts", "alice", new Deposit(10L)))
                .whenResult(Deposit.class, Outcome.ACCEPTED)
                .expectNoCommands()
                .expectFinished();
    }

    @Test
    void aDeadlineFiresOnce() {
        ProcessFixture<TransferProcessState> fixture = fixture();
        fixture.givenEvent("ex_transfers", "T1", TEN).whenTimeElapses(Duration.ofMinutes(1)).expectDeadlines();
        fixture.whenTimeElapses(Duration.ofMinutes(5)).expectNoCommands().expectIgnored();
    }

    @Test
    void commandIdsDependOnlyOnProcessInstanceTriggerAndIndex() {
        List<String> first = fixture().whenEvent("ex_transfers", "T1", TEN).commandIds();
        List<String> again = fixture().whenEvent("ex_transfers", "T1", TEN).commandIds();
        List<String> other = fixture().whenEvent("ex_transfers", "T2", TEN).commandIds();
        assertThat(first).isEqualTo(again).doesNotContainAnyElementsOf(other);
        Set<String> ids = new HashSet<>(first);
        assertThat(ids).hasSize(1);
    }

    @Test
    void aFinishedInstanceIsNotStartedAgainAndLateResultsAreOnlyRecorded() {
        ProcessFixture<TransferProcessState> fixture = fixture();
        fixture.givenEvent("ex_transfers", "T1", TEN)
                .givenResult(Withdraw.class, Outcome.REJECTED)
                .givenResult(FailTransfer.class, Outcome.ACCEPTED);
        fixture.whenEvent("ex_transfers", "T1", TEN).expectIgnored().expectFinished();
        assertThat(fixture.instance("T1").getStep()).isEqualTo(3);
    }

    @Test
    void reactThatThrowsFailsTheInstanceAndKeepsTheError() {
        ProcessType<TransferProcessState> broken = ProcessType.builder("broken", TransferProcessState.class,
                        new ProcessManager<TransferProcessState>() {
                            public TransferProcessState initialState() {
                                return TransferProcessState.newBuilder().build();
                            }

                            public Route route(org.apache.avro.specific.SpecificRecord event, EventMeta meta) {
                                return Route.start(meta.aggregateId());
                            }

                            public Reaction<TransferProcessState> react(TransferProcessState state, ProcessInput input) {
                                throw new IllegalStateException("boom");
                            }
                        })
                .follows("ex_transfers", TransferRequested.class).sends("ex_accounts", Withdraw.class).build();
        ProcessFixture<TransferProcessState> fixture = ProcessFixture.of(broken);
        fixture.whenEvent("ex_transfers", "T1", TEN).expectFailed().expectNoCommands();
        assertThat(fixture.instance("T1").getError()).contains("boom");
        fixture.whenEvent("ex_transfers", "T1", TEN).expectIgnored();
    }

    @Test
    void sendingAnUndeclaredCommandFailsTheInstance() {
        ProcessType<TransferProcessState> sloppy = ProcessType.builder("sloppy", TransferProcessState.class,
                        new ProcessManager<TransferProcessState>() {
                            public TransferProcessState initialState() {
                                return TransferProcessState.newBuilder().setStage(TransferStage.STARTING).build();
                            }

                            public Route route(org.apache.avro.specific.SpecificRecord event, EventMeta meta) {
                                return Route.start(meta.aggregateId());
                            }

                            public Reaction<TransferProcessState> react(TransferProcessState state, ProcessInput input) {
                                return Reaction.of(state).send(SendCommand.to("ex_accounts", "x", new Deposit(1L)));
                            }
                        })
                .follows("ex_transfers", TransferRequested.class).sends("ex_accounts", Withdraw.class).build();
        ProcessFixture<TransferProcessState> fixture = ProcessFixture.of(sloppy);
        fixture.whenEvent("ex_transfers", "T1", TEN).expectFailed();
        assertThat(fixture.instance("T1").getError()).contains("does not declare");
    }

    @Test
    void theFixtureRefusesEventsTheProcessDoesNotFollow() {
        assertThatThrownBy(() -> fixture().whenEvent("ex_accounts", "a", TEN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not follow");
    }
}
