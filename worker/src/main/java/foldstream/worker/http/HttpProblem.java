package foldstream.worker.http;

/**
 * A request refused with a status and an error code, thrown by an endpoint before it does
 * anything (so nothing is sent to Kafka). The message goes to the client as is: write it for the
 * client, from what the client sent, never from an exception inside the worker.
 *
 * <pre>{@code
 * throw new HttpProblem(400, "INVALID_PARAMETER", "waitMs must be a whole number, was 'soon'");
 * }</pre>
 */
public final class HttpProblem extends RuntimeException {

    private final int status;
    private final String code;

    public HttpProblem(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Reply reply() {
        return Reply.error(status, code, getMessage());
    }
}
