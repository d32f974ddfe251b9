package foldstream.worker.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: a status and a body that Jackson serializes (a record, a map, a
 * {@code JsonNode}, ...), or text with its content type (for Prometheus' format, say).
 *
 * <pre>{@code
 * Reply.ok(Map.of("ready", true));
 * Reply.error(404, "UNKNOWN_TYPE", "no aggregate type orders");   // {"error": "UNKNOWN_TYPE", "message": "..."}
 * Reply.text(200, "text/plain; version=0.0.4", scrape);
 * }</pre>
 *
 * @param contentType {@code application/json} for bodies Jackson writes
 */
public record Reply(int status, Object body, String contentType) {

    public static final String JSON = "application/json";

    public static Reply of(int status, Object body) {
        return new Reply(status, body, JSON);
    }

    public static Reply ok(Object body) {
        return of(200, body);
    }

    public static Reply text(int status, String contentType, String text) {
        return new Reply(status, text, contentType);
    }

    /** {@code {"error": CODE, "message": ...}}; the message is for the client, so it never carries text from inside the worker. */
    public static Reply error(int status, String code, String message) {
        return of(status, new ErrorBody(code, message));
    }

    /** An error body with more fields after {@code error} and {@code message} (a version, a command id). */
    public static Reply error(int status, String code, String message, Map<String, Object> more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        body.putAll(more);
        return of(status, body);
    }

    /** The body of every error answer. */
    public record ErrorBody(String error, String message) {
    }
}
