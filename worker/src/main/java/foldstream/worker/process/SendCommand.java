package foldstream.worker.process;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * A command a process sends: to the aggregate {@code aggregateId} of the type whose stream name is
 * {@code aggregateType}, on its {@code S-commands} topic.
 *
 * <pre>{@code
 * SendCommand.to("ex_accounts", "alice", new Withdraw(10L));
 * SendCommand.to("ex_accounts", "alice", new Withdraw(10L)).withExpectedVersion(7);
 * }</pre>
 *
 * @param expectedVersion the {@code expected-version} header; -1 for any
 */
public record SendCommand(String aggregateType, String aggregateId, SpecificRecord command, long expectedVersion) {

    public SendCommand {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(command, "command");
        if (aggregateId.isEmpty()) {
            throw new IllegalArgumentException("a command needs an aggregate id");
        }
        if (expectedVersion < -1) {
            throw new IllegalArgumentException("expectedVersion must be -1 (any), 0 or a version, was " + expectedVersion);
        }
    }

    public static SendCommand to(String aggregateType, String aggregateId, SpecificRecord command) {
        return new SendCommand(aggregateType, aggregateId, command, -1);
    }

    public SendCommand withExpectedVersion(long version) {
        return new SendCommand(aggregateType, aggregateId, command, version);
    }

    /** The command's full Avro record name. */
    public String commandType() {
        return command.getSchema().getFullName();
    }
}
