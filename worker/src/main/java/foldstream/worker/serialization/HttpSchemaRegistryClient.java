package foldstream.worker.serialization;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * {@link SchemaRegistryClient} over HTTP, speaking Confluent Schema Registry's REST API, so it works
 * with Confluent, Apicurio (its {@code ccompat} API), Karapace, Redpanda and Foldstream's own
 * registry server.
 *
 * <pre>{@code
 * try (SchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of("http://localhost:8081"))) {
 *     int id = registry.register("ex_users-results-value", CommandResult.getClassSchema());
 * }
 * }</pre>
 *
 * <p>Connection errors and 5xx answers are retried with exponential backoff, moving to the next base
 * URL each time; after {@link RegistryClientSettings#maxRetries()} retries the call fails with
 * {@link SchemaRegistryUnavailableException}. A 4xx answer is the registry's decision and is not
 * retried: it becomes a {@link SchemaRegistryException} with Confluent's {@code error_code} (which
 * refusals a record waits out is {@link RegistryWait}'s choice). Nothing is cached here; {@link AvroWireCodec} caches ids and schemas. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    /** The content type of every request and answer of the API, version 1. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryClientSettings settings;
    // Built on first use, under the lock: creating the client loads the JDK's HTTP and TLS classes (a
    // fifth of a second of a cold start), which a worker's start then spends in its schema check, on
    // a thread of its own beside the topic check, instead of before both.
    private final HttpClient.Builder builder;
    private HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;

    public HttpSchemaRegistryClient(RegistryClientSettings settings) {
        this.settings = settings;
        this.builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout());
        // Here, not on first use: a trust store that cannot be read is a setting to refuse at once.
        SSLContext tls = settings.sslContext();
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.authorization = settings.bearerToken() != null ? "Bearer " + settings.bearerToken()
                : settings.basicAuthUserInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    }

    public RegistryClientSettings settings() {
        return settings;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = builder.build();
        }
        return http;
    }

    @Override
    public int register(String subject, Schema schema) {
        return call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), subject).path("id").asInt();
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return registered(subject, call("POST", "/subjects/" + encode(subject), schemaBody(schema), subject));
    }

    @Override
    public Schema schemaById(int id) {
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, null);
        return parse(answer, null);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return registered(subject, call("GET", "/subjects/" + encode(subject) + "/versions/latest", null, subject));
    }

    @Override
    public CompatibilityCheck testCompatibility(String subject, Schema schema) {
        JsonNode answer;
        try {
            // Against every version the subject's level asks for (all of them under *_TRANSITIVE), as
            // registering would check; "/versions/latest" would check the latest only.
            answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions?verbose=true",
                    schemaBody(schema), subject);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            // No version to be incompatible with (registries that answer 40401 here): any schema is acceptable.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return CompatibilityCheck.ok();
            }
            throw e;
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(message -> messages.add(message.asText()));
        return new CompatibilityCheck(answer.path("is_compatible").asBoolean(false), messages);
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        JsonNode answer;
        try {
            answer = call("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null, subject);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            // Registries that ignore defaultToGlobal answer "no subject-level config": ask for the global one.
            if (e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND && e.errorCode() != SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED) {
                throw e;
            }
            answer = call("GET", "/config", null, subject);
        }
        return level(answer, subject);
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = json.createObjectNode().put("compatibility", level.name());
        call("PUT", subject == null ? "/config" : "/config/" + encode(subject), body, subject);
    }

    private ObjectNode schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString()).put("schemaType", "AVRO");
    }

    private RegisteredSchema registered(String subject, JsonNode answer) {
        return new RegisteredSchema(answer.path("subject").asText(subject), answer.path("version").asInt(),
                answer.path("id").asInt(), parse(answer, subject));
    }

    private Schema parse(JsonNode answer, String subject) {
        if (!answer.path("schema").isTextual()) {
            // A 200 that is JSON but not the registry's answer (a proxy's, say): nothing is known of the schema.
            throw new SchemaRegistryException(SchemaRegistryException.STORE_ERROR, subject,
                    "the schema registry answered without a schema: " + abbreviate(answer.toString()));
        }
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, subject,
                    "the registry holds a " + type + " schema here; Foldstream reads Avro only");
        }
        try {
            return new Schema.Parser().parse(answer.path("schema").asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, subject,
                    "the registry answered with a schema Avro cannot parse: " + e.getMessage(), e);
        }
    }

    private static CompatibilityLevel level(JsonNode answer, String subject) {
        // GET answers compatibilityLevel; some registries answer compatibility.
        String name = answer.path("compatibilityLevel").asText(answer.path("compatibility").asText(""));
        try {
            return CompatibilityLevel.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, subject,
                    "the registry answered with an unknown compatibility level '" + name + "'");
        }
    }

    /** Path segments are percent-encoded, spaces as %20 (a '+' in a path is a literal '+'). */
    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, JsonNode body, String subject) {
        String payload;
        try {
            payload = body == null ? null : json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        List<URI> urls = settings.baseUrls();
        String problem = null;
        Exception cause = null;
        URI uri = null;
        for (int attempt = 0; ; attempt++) {
            uri = URI.create(urls.get(attempt % urls.size()) + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(settings.requestTimeout())
                    .header("Accept", CONTENT_TYPE)
                    .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
            if (payload != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            try {
                HttpResponse<String> response = http().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return readJson(response.body(), uri, subject);
                }
                if (status < 500) {
                    throw refusal(status, response.body(), subject);
                }
                problem = "HTTP " + status + " " + abbreviate(response.body());
                cause = null;
            } catch (SSLException e) {
                // A TLS failure is configuration, not a passing fault: retrying would not help.
                throw new SchemaRegistryUnavailableException(subject, "TLS connection to the schema registry at " + uri
                        + " failed: " + e.getMessage() + " (check the trust store)", e);
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(subject, "interrupted while calling the schema registry at " + uri, e);
            }
            if (attempt >= settings.maxRetries()) {
                throw new SchemaRegistryUnavailableException(subject, "the schema registry at " + uri + " did not answer "
                        + method + " " + path + " after " + (attempt + 1) + " attempts"
                        + (urls.size() > 1 ? " across " + urls : "") + ": " + problem, cause);
            }
            try {
                // Backoff between attempts of a remote call, not synchronization.
                Thread.sleep(settings.backoff(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(subject, "interrupted while waiting to retry the schema registry at " + uri, e);
            }
        }
    }

    private JsonNode readJson(String text, URI uri, String subject) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(SchemaRegistryException.STORE_ERROR, subject,
                    "the schema registry at " + uri + " answered with something that is not JSON: " + abbreviate(text), e);
        }
    }

    /** A 4xx answer: Confluent's {@code {"error_code":40401,"message":"..."}}, or the bare status when the body is not that. */
    private SchemaRegistryException refusal(int status, String body, String subject) {
        String hint = status == 401 ? " (check basic.auth.user.info or bearer.auth.token)"
                : status == 403 ? " (the credentials given do not allow this)" : "";
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.has("error_code")) {
                return new SchemaRegistryException(error.path("error_code").asInt(status), subject, error.path("message").asText("") + hint);
            }
        } catch (JsonProcessingException e) {
            // Not Confluent's error body (a proxy's page, say): report the status.
        }
        return new SchemaRegistryException(status, subject, "HTTP " + status + hint + " " + abbreviate(body));
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
