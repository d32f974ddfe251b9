package foldstream.worker.gateway;

import java.time.Duration;

/**
 * No result arrived in time. The command may still be applied: it is on the commands topic. To
 * learn its outcome, send it again with the same command id: a command id already answered gets its
 * first result again and writes nothing, so the retry is safe.
 */
public class CommandTimeoutException extends RuntimeException {

    private final String aggregateType;
    private final String aggregateId;
    private final String commandId;

    public CommandTimeoutException(String aggregateType, String aggregateId, String commandId, Duration waited) {
        super("no result for command " + commandId + " to " + aggregateType + " '" + aggregateId + "' within " + waited
                + "; it may still be applied. Send it again with the same command id (SendOptions.withCommandId(\""
                + commandId + "\")): it will not be applied twice, and the answer is its result");
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
        this.commandId = commandId;
    }

    public String aggregateType() {
        return aggregateType;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public String commandId() {
        return commandId;
    }
}
