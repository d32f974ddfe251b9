package foldstream.worker.examples;

import foldstream.examples.transfers.CompleteTransfer;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.examples.transfers.TransferCompleted;
import foldstream.examples.transfers.TransferFailed;
import foldstream.examples.transfers.TransferRequested;
import foldstream.examples.transfers.TransferState;
import foldstream.examples.transfers.TransferStatus;
import foldstream.protocol.Outcome;
import foldstream.worker.testing.AggregateFixture;
import org.junit.jupiter.api.Test;

class TransfersTest {

    private final AggregateFixture<TransferState> transfers = AggregateFixture.of(Transfers.type());

    @Test
    void aRequestCreatesTheTransfer() {
        transfers.givenNothing().when(new RequestTransfer("a", "b", 5L))
                .expectEvents(new TransferRequested("a", "b", 5L))
                .expectState(new TransferState("a", "b", 5L, TransferStatus.REQUESTED, null));
        transfers.givenNothing().when(new RequestTransfer("a", "a", 5L)).expectOutcome(Outcome.REJECTED);
        transfers.givenNothing().when(new RequestTransfer("a", "b", 0L)).expectOutcome(Outcome.REJECTED);
        transfers.givenNothing().when(new CompleteTransfer()).expectOutcome(Outcome.NOT_FOUND);
    }

    @Test
    void aTransferEndsOnceCompletedOrFailed() {
        TransferRequested requested = new TransferRequested("a", "b", 5L);
        transfers.given(requested).when(new CompleteTransfer()).expectEvents(new TransferCompleted());
        transfers.given(requested).when(new FailTransfer("no")).expectEvents(new TransferFailed("no"))
                .expectState(new TransferState("a", "b", 5L, TransferStatus.FAILED, "no"));
        transfers.given(requested, new TransferCompleted()).when(new CompleteTransfer()).expectOutcome(Outcome.NO_CHANGE);
        transfers.given(requested, new TransferCompleted()).when(new FailTransfer("late")).expectOutcome(Outcome.REJECTED);
        transfers.given(requested, new TransferFailed("no")).when(new CompleteTransfer()).expectOutcome(Outcome.REJECTED);
    }
}
