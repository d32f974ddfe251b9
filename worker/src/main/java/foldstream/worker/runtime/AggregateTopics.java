package foldstream.worker.runtime;

import java.util.List;

/**
 * The topics and state stores of one aggregate type, all named from its stream name {@code S}
 * (see docs/contract.md).
 *
 * <pre>{@code AggregateTopics.of("ex_users").events()  // "ex_users-events" }</pre>
 */
public record AggregateTopics(String streamName) {

    private static final String COMMAND_ID_STORE_SUFFIX = "-command-ids";

    public static AggregateTopics of(String streamName) {
        return new AggregateTopics(streamName);
    }

    public String commands() {
        return streamName + "-commands";
    }

    /** The event store: never compacted, retention unlimited. */
    public String events() {
        return streamName + "-events";
    }

    public String results() {
        return streamName + "-results";
    }

    /** Compacted: the latest state per aggregate. */
    public String state() {
        return streamName + "-state";
    }

    public String dlq() {
        return streamName + "-dlq";
    }

    /**
     * Control instructions ({@code ControlInstruction}, e.g. replay), apart from commands so that ACLs
     * can tell who may command from who may rebuild; same partition count as {@code S-commands}, an
     * instruction acts on the partition it is written to.
     */
    public String control() {
        return streamName + "-control";
    }

    /** One {@code ControlResult} per control instruction, in the instruction's partition. */
    public String controlResults() {
        return streamName + "-control-results";
    }

    /** The local store of snapshots; its changelog topic is {@code <application.id>-S-snapshots-changelog}. */
    public String snapshotStore() {
        return streamName + "-snapshots";
    }

    /** The local store of answered command ids, for idempotency. */
    public String commandIdStore() {
        return streamName + COMMAND_ID_STORE_SUFFIX;
    }

    /** Whether a store's name is that of a type's answered-commands store ({@link #commandIdStore()}). */
    public static boolean isCommandIdStore(String storeName) {
        return storeName.endsWith(COMMAND_ID_STORE_SUFFIX);
    }

    /** The local store of commands held back while the snapshots are rebuilt from {@code S-events}. */
    public String heldStore() {
        return streamName + "-held";
    }

    /** The task's commit counter (in memory, no changelog). */
    public String commitCounter() {
        return streamName + "-commits";
    }

    /** Every topic the type reads or writes, the state topic only when it is published. */
    public List<String> all(boolean withState) {
        return withState
                ? List.of(commands(), events(), results(), dlq(), control(), controlResults(), state())
                : List.of(commands(), events(), results(), dlq(), control(), controlResults());
    }
}
