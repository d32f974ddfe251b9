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

    static final String[] LIST = {
        "0:done (send: accepted or no change)",
        "1:Kafka, the schema registry or the worker unreachable or failing (the message names the address)",
        "2:bad usage: unknown type or command, JSON that does not fit the schema, a bad option",
        "3:send: the command was answered but not accepted (the result says why)",
        "4:timed out: no result (send; the message says how to retry), the version not reached (get), fewer records than --max (tail)"};

    private ExitStatus() {
    }
}
