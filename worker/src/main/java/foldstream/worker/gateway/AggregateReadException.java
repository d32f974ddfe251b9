package foldstream.worker.gateway;

/**
 * A worker could not give an aggregate's state: {@link #status()} is the HTTP status it answered
 * (409 the version did not come in time, 404 unknown type, 503 no instance can answer now), or 0
 * when it did not answer at all; {@link #error()} is the error code of its answer.
 */
public class AggregateReadException extends RuntimeException {

    private final int status;
    private final String error;

    public AggregateReadException(int status, String error, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** True when the version asked for did not come within the wait (409 VERSION_NOT_REACHED). */
    public boolean versionNotReached() {
        return status == 409;
    }
}
