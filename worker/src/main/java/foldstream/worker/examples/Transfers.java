package foldstream.worker.examples;

import foldstream.examples.transfers.CompleteTransfer;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.examples.transfers.TransferCompleted;
import foldstream.examples.transfers.TransferFailed;
import foldstream.examples.transfers.TransferRequested;
import foldstream.examples.transfers.TransferState;
import foldstream.examples.transfers.TransferStatus;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.Violation;
import org.apache.avro.specific.SpecificRecord;

/**
 * A money transfer between two {@code ex_accounts} ({@code ex_transfers}): requested, then completed or
 * failed. The aggregate only records the transfer; the {@link TransferProcess} moves the money.
 */
public final class Transfers implements Aggregate<TransferState> {

    public static AggregateType<TransferState> type() {
        return AggregateType.builder("ex_transfers", TransferState.class, new Transfers())
                .command(RequestTransfer.class, Creation.CREATES)
                .command(CompleteTransfer.class)
                .command(FailTransfer.class)
                .events(TransferRequested.class, TransferCompleted.class, TransferFailed.class)
                .build();
    }

    @Override
    public TransferState initialState() {
        return new TransferState(null, null, 0L, TransferStatus.NONE, null);
    }

    @Override
    public Decision decide(TransferState state, SpecificRecord command) {
        if (command instanceof RequestTransfer request) {
            if (request.getAmount() <= 0) {
                return Decision.reject("INVALID_AMOUNT", "the amount must be positive",
                        new Violation("amount", "must be positive, was " + request.getAmount()));
            }
            if (request.getFrom().isBlank() || request.getTo().isBlank()) {
                return Decision.reject("INVALID_ACCOUNT", "a transfer needs both accounts",
                        new Violation(request.getFrom().isBlank() ? "from" : "to", "must not be blank"));
            }
            if (request.getFrom().equals(request.getTo())) {
                return Decision.reject("SAME_ACCOUNT", "a transfer needs two different accounts",
                        new Violation("to", "must differ from from"));
            }
            return Decision.emit(new TransferRequested(request.getFrom(), request.getTo(), request.getAmount()));
        }
        TransferStatus ending = command instanceof CompleteTransfer ? TransferStatus.COMPLETED : TransferStatus.FAILED;
        if (state.getStatus() == ending) {
            return Decision.noChange();
        }
        if (state.getStatus() != TransferStatus.REQUESTED) {
            return Decision.reject("ALREADY_ENDED", "the transfer is already " + state.getStatus());
        }
        return command instanceof FailTransfer fail
                ? Decision.emit(new TransferFailed(fail.getReason()))
                : Decision.emit(new TransferCompleted());
    }

    @Override
    public TransferState evolve(TransferState state, SpecificRecord event) {
        if (event instanceof TransferRequested requested) {
            return new TransferState(requested.getFrom(), requested.getTo(), requested.getAmount(), TransferStatus.REQUESTED, null);
        }
        if (event instanceof TransferFailed failed) {
            return new TransferState(state.getFrom(), state.getTo(), state.getAmount(), TransferStatus.FAILED, failed.getReason());
        }
        return new TransferState(state.getFrom(), state.getTo(), state.getAmount(), TransferStatus.COMPLETED, null);
    }
}
