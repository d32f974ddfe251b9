package foldstream.worker.process;

import org.apache.avro.specific.SpecificRecord;

/**
 * A process manager (a workflow, a saga): a pure decider that reacts to events of any aggregate types
 * and to the results of its own commands, and sends commands. No I/O, no clock, no Kafka: the runtime
 * delivers the inputs, stores the state, sends the commands exactly once and fires the deadlines.
 *
 * <pre>{@code
 * final class Transfers implements ProcessManager<TransferProcessState> {
 *     public TransferProcessState initialState() { return new TransferProcessState(); }
 *
 *     public Route route(SpecificRecord event, EventMeta meta) {
 *         return event instanceof TransferRequested ? Route.start(meta.aggregateId()) : Route.ignore();
 *     }
 *
 *     public Reaction<TransferProcessState> react(TransferProcessState state, ProcessInput input) {
 *         return switch (input) {
 *             case ProcessInput.Event e -> Reaction.of(withdrawing(e))
 *                     .send(SendCommand.to("ex_accounts", from, new Withdraw(amount)))
 *                     .setDeadline("withdrawal", Duration.ofSeconds(30));
 *             case ProcessInput.Result r when r.accepted() -> ...;
 *             case ProcessInput.Result r -> ...;            // refused: compensate
 *             case ProcessInput.DeadlineFired d -> ...;     // no result in time
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>An exception thrown from {@code route} or {@code react} leaves nothing behind for that input: the
 * instance is marked {@code FAILED} with the error (visible over HTTP and in
 * {@code foldstream processes}) and takes no more input; the process keeps running for the others.
 *
 * @param <S> the state of one instance, an Avro record generated from {@code schemas/}
 */
public interface ProcessManager<S extends SpecificRecord> {

    /** The state of an instance before its first input. */
    S initialState();

    /** Which instance an event belongs to: start one, continue one, or none. */
    Route route(SpecificRecord event, EventMeta meta);

    /** The instance's answer to one input: its next state, commands to send, deadlines, or that it is finished. */
    Reaction<S> react(S state, ProcessInput input);
}
