package foldstream.worker.process;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * What an instance reacts to: an event it was routed, the result of one of its own commands, or one of
 * its deadlines coming due. A refused command is an ordinary input: that is where compensation goes.
 */
public sealed interface ProcessInput permits ProcessInput.Event, ProcessInput.Result, ProcessInput.DeadlineFired {

    /** An event of a followed type that {@link ProcessManager#route} sent to this instance. */
    record Event(SpecificRecord event, EventMeta meta) implements ProcessInput {
    }

    /**
     * The result of a command this instance sent.
     *
     * @param commandType the full Avro name of the command it answers ({@code foldstream.examples.accounts.Withdraw})
     */
    record Result(String commandType, CommandResult result) implements ProcessInput {

        public Outcome outcome() {
            return result.getOutcome();
        }

        /** Whether the command wrote its events ({@code ACCEPTED}) or was valid and changed nothing ({@code NO_CHANGE}). */
        public boolean accepted() {
            return result.getOutcome() == Outcome.ACCEPTED || result.getOutcome() == Outcome.NO_CHANGE;
        }

        /** Whether it answers a command of this type. */
        public boolean answers(Class<? extends SpecificRecord> command) {
            return commandType.equals(org.apache.avro.specific.SpecificData.get().getSchema(command).getFullName());
        }

        /** {@code OUTCOME (errorCode): message}, for reasons and logs. */
        public String describe() {
            String code = result.getErrorCode();
            String message = result.getMessage();
            return result.getOutcome() + (code == null || code.equals(result.getOutcome().name()) ? "" : " (" + code + ")")
                    + (message == null ? "" : ": " + message);
        }
    }

    /** A deadline the instance set, come due; it fires once and is then gone. */
    record DeadlineFired(String name, Instant dueAt) implements ProcessInput {
    }
}
