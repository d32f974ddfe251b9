package foldstream.ops.demo;

import foldstream.protocol.Outcome;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecord;

/**
 * One command of the demo's script: where it goes, its contract headers, what it carries, and the
 * outcome the demo expects.
 *
 * <pre>{@code
 * new ScriptedCommand("Deposit 100", "ex_accounts", "acc-1", "cmd-9", OptionalLong.empty(),
 *         new ScriptedCommand.Avro(new Deposit(100L)), Outcome.ACCEPTED, 1);
 * }</pre>
 *
 * @param title what the step shows, for the output
 * @param aggregateType the stream name; the command goes to {@code <aggregateType>-commands}
 * @param expectedVersion the {@code expected-version} header, when the step sets one
 * @param newEvents how many events the step is expected to append (0 for a duplicate's replayed result)
 */
public record ScriptedCommand(String title, String aggregateType, String aggregateId, String commandId,
                              OptionalLong expectedVersion, Payload payload, Outcome expected, int newEvents) {

    public ScriptedCommand {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(expectedVersion, "expectedVersion");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expected, "expected");
    }

    public String topic() {
        return aggregateType + "-commands";
    }

    /** The value of a command record: an Avro record in the wire format, or raw bytes. */
    public sealed interface Payload permits Avro, Raw {
    }

    /** Encoded with the registry under the topic-record-name subject, as the contract says. */
    public record Avro(SpecificRecord record) implements Payload {
    }

    /** Sent as is: bytes that are not the wire format. */
    public record Raw(byte[] bytes) implements Payload {
    }
}
