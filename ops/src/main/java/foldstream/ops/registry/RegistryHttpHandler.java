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
 */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryService registry;
    private final ObjectMapper json = new ObjectMapper();

    RegistryHttpHandler(RegistryService registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                answer = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()),
                        exchange.getRequestURI().getRawQuery(), exchange);
            } catch (SchemaRegistryException e) {
                status = e.errorCode() >= 10000 ? e.errorCode() / 100 : e.errorCode();
                answer = error(e.errorCode(), e.reason());
            } catch (NoRouteException e) {
                status = e.status;
                answer = error(e.status, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                answer = error(SchemaRegistryException.STORE_ERROR, "Internal server error: " + e);
            }
            byte[] body = json.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
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
        try (InputStream in = exchange.getRequestBody()) {
            JsonNode body = json.readTree(in);
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

    /** A request the API has no route for: 404, or 405 for a known path with another method. */
    private static final class NoRouteException extends RuntimeException {
        private final int status;

        NoRouteException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
