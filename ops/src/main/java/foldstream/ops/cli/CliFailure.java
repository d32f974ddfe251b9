package foldstream.ops.cli;

/** Ends a command with an exit status and a message for stderr. */
final class CliFailure extends RuntimeException {

    private final int status;

    CliFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
