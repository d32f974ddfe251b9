package foldstream.ops.cli;

/** The exit statuses of {@code send}, {@code get} and {@code tail}. */
final class ExitStatus {

    /** Done: the command was accepted or changed nothing; the state was read; the records were printed. */
    static final int OK = 0;
    /** Kafka, the schema registry or the worker could not be reached or failed; the message names the address. */
    static final int FAILED = 1;
    /** Bad usage: unknown type or command, JSON that does not fit the schema, a bad option. */
    static final int USAGE = 2;
    /** The command was answered but not accepted (rejected, wrong version, not found, ...). */
    static final int NOT_ACCEPTED = 3;
    /** No answer in time: no result, the version not reached, fewer records than --max. */
    static final int TIMEOUT = 4;

    private ExitStatus() {
    }
}
