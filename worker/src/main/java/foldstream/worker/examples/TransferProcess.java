package foldstream.worker.examples;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.transfers.CompleteTransfer;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.TransferProcessState;
import foldstream.examples.transfers.TransferRequested;
import foldstream.examples.transfers.TransferStage;
import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessInput;
import foldstream.worker.process.ProcessManager;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Reaction;
import foldstream.worker.process.Route;
import foldstream.worker.process.SendCommand;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;

/**
 * The {@code transfer} process: moves the money of an {@code ex_transfers} transfer between two
 * {@code ex_accounts}. It withdraws from {@code from}; once that is accepted it deposits to {@code to};
 * once that is accepted it completes the transfer. A refused withdrawal fails the transfer; a refused
 * deposit (say {@code to} does not exist: {@code NOT_FOUND}) refunds {@code from}, then fails it.
 *
 * <p>The deadline: when the withdrawal has no result within {@link #WITHDRAWAL_TIMEOUT} (the accounts'
 * worker is down, say), the transfer fails at once; the withdrawal is still on its way, so the process
 * stays to give the money back if it is accepted later. A deposit cannot be called back, so once the
 * withdrawal is known the process waits for the deposit's result however long it takes.
 *
 * <p>The instance id is the transfer's id; it finishes when no money command is outstanding and the
 * transfer's own completion or failure was answered.
 */
public final class TransferProcess implements ProcessManager<TransferProcessState> {

    public static final String NAME = "transfer";
    public static final Duration WITHDRAWAL_TIMEOUT = Duration.ofSeconds(30);
    static final String WITHDRAWAL = "withdrawal";
    private static final String ACCOUNTS = "ex_accounts";
    private static final String TRANSFERS = "ex_transfers";

    private final Duration withdrawalTimeout;

    public TransferProcess(Duration withdrawalTimeout) {
        this.withdrawalTimeout = withdrawalTimeout;
    }

    public static ProcessType<TransferProcessState> type() {
        return type(WITHDRAWAL_TIMEOUT);
    }

    public static ProcessType<TransferProcessState> type(Duration withdrawalTimeout) {
        return ProcessType.builder(NAME, TransferProcessState.class, new TransferProcess(withdrawalTimeout))
                .follows(TRANSFERS, TransferRequested.class)
                .sends(ACCOUNTS, Withdraw.class, Deposit.class)
                .sends(TRANSFERS, CompleteTransfer.class, FailTransfer.class)
                .build();
    }

    @Override
    public TransferProcessState initialState() {
        return TransferProcessState.newBuilder().build();
    }

    @Override
    public Route route(SpecificRecord event, EventMeta meta) {
        return event instanceof TransferRequested ? Route.start(meta.aggregateId()) : Route.ignore();
    }

    @Override
    public Reaction<TransferProcessState> react(TransferProcessState state, ProcessInput input) {
        if (input instanceof ProcessInput.Event event) {
            TransferRequested requested = (TransferRequested) event.event();
            TransferProcessState next = TransferProcessState.newBuilder(state).setTransfer(event.meta().aggregateId()).setFrom(requested.getFrom()).setTo(requested.getTo())
                    .setAmount(requested.getAmount()).setStage(TransferStage.WITHDRAWING).build();
            return Reaction.of(next)
                    .send(SendCommand.to(ACCOUNTS, requested.getFrom(), new Withdraw(requested.getAmount())))
                    .setDeadline(WITHDRAWAL, withdrawalTimeout);
        }
        if (input instanceof ProcessInput.DeadlineFired) {
            if (state.getStage() != TransferStage.WITHDRAWING || state.getCloseSent()) {
                return Reaction.of(state);
            }
            return close(Reaction.of(TransferProcessState.newBuilder(state)
                    .setReason("no answer to the withdrawal within " + withdrawalTimeout).build()));
        }
        ProcessInput.Result result = (ProcessInput.Result) input;
        if (result.answers(CompleteTransfer.class) || result.answers(FailTransfer.class)) {
            Reaction.Continue<TransferProcessState> closed = Reaction.of(TransferProcessState.newBuilder(state).setClosed(true).build());
            return state.getStage() == TransferStage.SETTLED ? closed.finish() : closed;
        }
        TransferProcessState.Builder next = TransferProcessState.newBuilder(state);
        switch (state.getStage()) {
            case WITHDRAWING -> {
                if (!result.accepted()) {
                    next.setStage(TransferStage.SETTLED);
                    if (next.getReason() == null) {
                        next.setReason("withdrawal from " + state.getFrom() + " refused: " + result.describe());
                    }
                    return closeOrWait(Reaction.of(next.build()).cancelDeadline(WITHDRAWAL));
                }
                if (state.getCloseSent()) {   // timed out and failed meanwhile: give the money back
                    return refund(next);
                }
                next.setStage(TransferStage.DEPOSITING);
                return Reaction.of(next.build()).cancelDeadline(WITHDRAWAL)
                        .send(SendCommand.to(ACCOUNTS, state.getTo(), new Deposit(state.getAmount())));
            }
            case DEPOSITING -> {
                if (result.accepted()) {
                    next.setStage(TransferStage.SETTLED);
                    return closeOrWait(Reaction.of(next.build()));
                }
                next.setReason("deposit to " + state.getTo() + " refused: " + result.describe() + "; refunded " + state.getFrom());
                return refund(next);
            }
            case REFUNDING -> {
                next.setStage(TransferStage.SETTLED);
                if (!result.accepted()) {
                    next.setReason(next.getReason() + "; the refund to " + state.getFrom() + " was refused too: " + result.describe());
                }
                return closeOrWait(Reaction.of(next.build()));
            }
            default -> {
                return Reaction.of(state);
            }
        }
    }

    private Reaction<TransferProcessState> refund(TransferProcessState.Builder next) {
        next.setStage(TransferStage.REFUNDING);
        return Reaction.of(next.build()).send(SendCommand.to(ACCOUNTS, next.getFrom(), new Deposit(next.getAmount())));
    }

    /** Money settled: send the transfer's completion or failure unless it was sent; finish once it was answered. */
    private Reaction<TransferProcessState> closeOrWait(Reaction.Continue<TransferProcessState> reaction) {
        if (!reaction.state().getCloseSent()) {
            return close(reaction);
        }
        return reaction.state().getClosed() ? reaction.finish() : reaction;
    }

    private Reaction<TransferProcessState> close(Reaction.Continue<TransferProcessState> reaction) {
        TransferProcessState state = TransferProcessState.newBuilder(reaction.state()).setCloseSent(true).build();
        SpecificRecord command = state.getReason() == null ? new CompleteTransfer() : new FailTransfer(state.getReason());
        return new Reaction.Continue<>(state, reaction.commands(), reaction.deadlines())
                .send(SendCommand.to(TRANSFERS, state.getTransfer(), command));
    }
}
