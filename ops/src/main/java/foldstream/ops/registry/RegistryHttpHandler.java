package foldstream.ops.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import foldstream.worker.serialization.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST surface: the subset of Confluent Schema Registry's API that Foldstream and the standard
 * serializers use, with Confluent's JSON bodies and {@code {"error_code":..., "message":...}} errors.
 *
 * <p>With users ({@link RegistryUsers}), every request must carry HTTP basic credentials (401
 * otherwise) of a user whose role allows it (403 otherwise, see {@link #roleFor}); refusals change
 * nothing and are logged without the password. Request bodies larger than the limit are refused with
 * 413 before they are read: the {@code Content-Length} says so, or the reading stops at the limit.
 */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final int UNAUTHORIZED = 40101;
    static final int FORBIDDEN = 40301;
    static final int BODY_TOO_LARGE = 41301;

    private final RegistryService registry;
    private final RegistryUsers users;
    private final int maxBodyBytes;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param users who may call, or {@code null} for everyone with every role
     */
    RegistryHttpHandler(RegistryService registry, RegistryUsers users, int maxBodyBytes) {
        this.registry = registry;
        this.users = users;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                List<String> path = segments(exchange.getRequestURI().getRawPath());
                authorize(exchange, path);
                answer = route(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), exchange);
            } catch (SchemaRegistryException e) {
                status = e.errorCode() >= 10000 ? e.errorCode() / 100 : e.errorCode();
                answer = error(e.errorCode(), e.reason());
            } catch (NoRouteException e) {
                status = e.status;
                answer = error(e.status, e.getMessage());
            } catch (RefusedException e) {
                status = e.status;
                answer = error(e.errorCode, e.getMessage());
                if (status == 401) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"schema-registry\"");
                }
                if (status == 413) {
                    // The rest of the body is not read: the connection cannot serve another request.
                    exchange.getResponseHeaders().set("Connection", "close");
                }
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                // The log has the cause; the caller gets no internals.
                answer = error(SchemaRegistryException.STORE_ERROR, "Internal server error");
            }
            byte[] body = json.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The role a request needs: reads and look-ups {@code read}; registering {@code write}; changing
     * levels and modes, deleting and anything else {@code admin}.
     */
    static RegistryRole roleFor(String method, List<String> path) {
        String first = path.isEmpty() ? "" : path.get(0);
        return switch (method) {
            case "GET", "HEAD" -> RegistryRole.READ;
            case "POST" -> {
                if ("compatibility".equals(first) || ("subjects".equals(first) && path.size() == 2)) {
                    yield RegistryRole.READ;
                }
                yield RegistryRole.WRITE;
            }
            default -> RegistryRole.ADMIN;
        };
    }

    private void authorize(HttpExchange exchange, List<String> path) {
        if (users == null) {
            return;
        }
        String method = exchange.getRequestMethod();
        RegistryRole needed = roleFor(method, path);
        RegistryUsers.Authentication authentication = users.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        if (authentication instanceof RegistryUsers.Refused refused) {
            LOG.warn("refused {} {} from {}: {}", method, exchange.getRequestURI().getRawPath(),
                    exchange.getRemoteAddress().getAddress().getHostAddress(), refused.reason());
            throw new RefusedException(401, UNAUTHORIZED, "Unauthorized");
        }
        RegistryUsers.Authenticated user = (RegistryUsers.Authenticated) authentication;
        if (!user.role().allows(needed)) {
            LOG.warn("refused {} {} to user '{}': role {} does not allow it (needs {})", method,
                    exchange.getRequestURI().getRawPath(), user.name(), user.role(), needed);
            throw new RefusedException(403, FORBIDDEN, "User '" + user.name() + "' is denied operation "
                    + method + " on " + exchange.getRequestURI().getRawPath() + ": it needs the role "
                    + needed.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private JsonNode route(String method, List<String> path, String query, HttpExchange exchange) throws IOException {
        int size = path.size();
        String first = size > 0 ? path.get(0) : "";
        if (size == 0) {
            return only(method, "GET", json.createObjectNode());
        }
        switch (first) {
            case "subjects" -> {
                if (size == 1) {
                    only(method, "GET", null);
                    ArrayNode subjects = json.createArrayNode();
                    registry.subjects().forEach(subjects::add);
                    return subjects;
                }
                String subject = path.get(1);
                if (size == 2) {
                    only(method, "POST", null);
                    JsonNode body = body(exchange, subject);
                    return version(registry.lookup(subject, text(body, "schema"), text(body, "schemaType")));
                }
                if (size == 3 && "versions".equals(path.get(2))) {
                    if ("POST".equals(method)) {
                        JsonNode body = body(exchange, subject);
                        return json.createObjectNode().put("id", registry.register(subject, text(body, "schema"), text(body, "schemaType")));
                    }
                    only(method, "GET", null);
                    ArrayNode versions = json.createArrayNode();
                    registry.versions(subject).forEach(v -> versions.add(v.version()));
                    return versions;
                }
                if (size == 4 && "versions".equals(path.get(2))) {
                    only(method, "GET", null);
                    return version(registry.version(subject, path.get(3)));
                }
            }
            case "schemas" -> {
                if (size == 3 && "ids".equals(path.get(1))) {
                    only(method, "GET", null);
                    int id;
                    try {
                        id = Integer.parseInt(path.get(2));
                    } catch (NumberFormatException e) {
                        throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, null, "Schema " + path.get(2) + " not found");
                    }
                    return json.createObjectNode().put("schema", registry.schemaById(id).toString());
                }
            }
            case "compatibility" -> {
                if ((size == 4 || size == 5) && "subjects".equals(path.get(1)) && "versions".equals(path.get(3))) {
                    only(method, "POST", null);
                    String subject = path.get(2);
                    JsonNode body = body(exchange, subject);
                    List<String> problems = registry.compatibilityProblems(subject, size == 5 ? path.get(4) : null,
                            text(body, "schema"), text(body, "schemaType"));
                    ObjectNode answer = json.createObjectNode().put("is_compatible", problems.isEmpty());
                    if (query != null && query.contains("verbose=true")) {
                        ArrayNode messages = answer.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return answer;
                }
            }
            case "config" -> {
                String subject = size == 2 ? path.get(1) : null;
                if (size <= 2) {
                    if ("PUT".equals(method)) {
                        JsonNode body = body(exchange, subject);
                        return json.createObjectNode().put("compatibility", registry.setLevel(subject, text(body, "compatibility")).name());
                    }
                    only(method, "GET", null);
                    return json.createObjectNode().put("compatibilityLevel", (subject == null
                            ? registry.globalLevel()
                            : registry.subjectLevel(subject, query != null && query.contains("defaultToGlobal=true"))).name());
                }
            }
            case "mode" -> {
                String subject = size == 2 ? path.get(1) : null;
                if (size <= 2) {
                    if ("PUT".equals(method)) {
                        JsonNode body = body(exchange, subject);
                        return json.createObjectNode().put("mode", registry.setMode(subject, text(body, "mode")).name());
                    }
                    only(method, "GET", null);
                    return json.createObjectNode().put("mode", (subject == null
                            ? registry.globalMode()
                            : registry.subjectMode(subject, query != null && query.contains("defaultToGlobal=true"))).name());
                }
            }
            default -> {
                // falls through to "no route"
            }
        }
        throw new NoRouteException(404, "HTTP 404 Not Found");
    }

    private static JsonNode only(String method, String allowed, JsonNode answer) {
        if (!allowed.equals(method)) {
            throw new NoRouteException(405, "HTTP 405 Method Not Allowed");
        }
        return answer;
    }

    private JsonNode body(HttpExchange exchange, String subject) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new RefusedException(400, 400, "Bad Content-Length");
            }
            if (length > maxBodyBytes) {
                throw tooLarge();
            }
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            // Without a Content-Length (chunked), read one byte past the limit at most.
            bytes = in.readNBytes(maxBodyBytes + 1);
        }
        if (bytes.length > maxBodyBytes) {
            throw tooLarge();
        }
        try {
            JsonNode body = json.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new SchemaRegistryException(422, subject, "The request body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(422, subject, "The request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private ObjectNode version(SchemaStore.Version version) {
        return json.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.text());
    }

    private ObjectNode error(int code, String message) {
        return json.createObjectNode().put("error_code", code).put("message", message);
    }

    /** Path segments, percent-decoded one by one (so an encoded '/' stays inside its segment). */
    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private RefusedException tooLarge() {
        return new RefusedException(413, BODY_TOO_LARGE, "Request body larger than " + maxBodyBytes + " bytes");
    }

    /** A request refused before it was served: 400, 401, 403 or 413. */
    private static final class RefusedException extends RuntimeException {
        private final int status;
        private final int errorCode;

        RefusedException(int status, int errorCode, String message) {
            super(message, null, false, false);
            this.status = status;
            this.errorCode = errorCode;
        }
    }

    /** A request the API has no route for: 404, or 405 for a known path with another method. */
    private static final class NoRouteException extends RuntimeException {
        private final int status;

        NoRouteException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
