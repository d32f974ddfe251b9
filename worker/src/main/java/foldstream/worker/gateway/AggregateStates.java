package foldstream.worker.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.protocol.SnapshotMeta;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.http.PlainJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads aggregates' states from a worker's HTTP API ({@code GET /aggregates/{type}/{id}}), which
 * answers from whichever instance owns the aggregate: the Java side of read-your-writes. Ask for the
 * version a command's result names, and the answer waits until the state has it.
 *
 * <pre>{@code
 * AggregateStates states = new AggregateStates(URI.create("http://127.0.0.1:8080"), ExampleTypes.all());
 * CommandResult deposited = gateway.send("ex_accounts", "a1", new Deposit(10L)).get();
 * AggregateView view = states.at("ex_accounts", "a1", deposited.getVersion(), Duration.ofSeconds(5)).get();
 * AccountState account = (AccountState) view.state();
 * }</pre>
 *
 * <p>{@link CommandGateway#sendAndRead} does both in one call. The future fails with
 * {@link AggregateReadException}: the version did not come in time (409), the type is not served
 * (404), no instance can answer now (503), or the worker did not answer at all (status 0).
 */
public final class AggregateStates {

    /** Slack on top of the wait for the worker to answer at all (connect, forward to the owner). */
    private static final Duration ANSWER_SLACK = Duration.ofSeconds(10);

    private final URI worker;
    private final Map<String, Class<? extends SpecificRecord>> stateClasses = new HashMap<>();
    private final HttpClient http;
    private final Optional<String> token;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param worker the base URL of any worker instance, for example {@code http://127.0.0.1:8080}
     * @param types the aggregate types to read, for their state classes
     */
    public AggregateStates(URI worker, List<? extends AggregateType<?>> types) {
        this(worker, types, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), Optional.empty());
    }

    /**
     * For a worker whose API needs credentials or TLS ({@code docs/security.md}):
     *
     * <pre>{@code
     * HttpClient client = HttpClient.newBuilder().sslContext(tls).build();   // trusts the worker's CA; may present a certificate
     * new AggregateStates(URI.create("https://worker-1:8080"), types, client, Optional.of(token));
     * }</pre>
     *
     * @param client the HTTP client (its SSL context for {@code https})
     * @param token sent as {@code Authorization: Bearer}; it needs {@code read} for the types
     */
    public AggregateStates(URI worker, List<? extends AggregateType<?>> types, HttpClient client, Optional<String> token) {
        String base = worker.toString();
        this.worker = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        if (!("http".equals(this.worker.getScheme()) || "https".equals(this.worker.getScheme())) || this.worker.getHost() == null) {
            throw new IllegalArgumentException("the worker URL must be http://HOST:PORT or https://HOST:PORT, was '" + worker + "'");
        }
        types.forEach(type -> stateClasses.put(type.name(), type.stateClass()));
        this.http = client;
        this.token = token;
    }

    public URI worker() {
        return worker;
    }

    /**
     * The aggregate at {@code minVersion} or later, waiting up to {@code wait} for that version.
     * Version 0 with the initial state means the aggregate does not exist (yet); {@code minVersion}
     * 0 answers at once with whatever version there is.
     *
     * @throws IllegalArgumentException for a type not given to the constructor, or a negative version or wait
     */
    public CompletableFuture<AggregateView> at(String type, String id, long minVersion, Duration wait) {
        Class<? extends SpecificRecord> stateClass = stateClasses.get(type);
        if (stateClass == null) {
            throw new IllegalArgumentException("no aggregate type " + type + " here; known: " + stateClasses.keySet());
        }
        if (minVersion < 0 || wait.isNegative()) {
            throw new IllegalArgumentException("minVersion and wait must not be negative, were " + minVersion + " and " + wait);
        }
        URI uri = URI.create(worker + "/aggregates/" + encode(type) + "/" + encode(id)
                + "?minVersion=" + minVersion + "&waitMs=" + wait.toMillis());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(wait.plus(ANSWER_SLACK)).GET();
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        throw new AggregateReadException(0, "UNREACHABLE", "the worker at " + worker + " did not answer "
                                + "GET " + uri.getRawPath() + ": " + cause, cause);
                    }
                    return view(response, stateClass);
                });
    }

    private AggregateView view(HttpResponse<String> response, Class<? extends SpecificRecord> stateClass) {
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AggregateReadException(response.statusCode(), "NOT_JSON", "the worker at " + worker
                    + " answered " + response.statusCode() + " with something that is not JSON: " + response.body(), e);
        }
        if (response.statusCode() != 200) {
            throw new AggregateReadException(response.statusCode(), body.path("error").asText("HTTP_" + response.statusCode()),
                    body.path("message").asText(response.body()), null);
        }
        try {
            SpecificRecord state = PlainJson.read(body.get("state"), stateClass);
            JsonNode meta = body.get("meta");
            SnapshotMeta snapshotMeta = meta == null || meta.isNull() ? null : new SnapshotMeta(
                    Instant.parse(meta.get("createdAt").asText()), Instant.parse(meta.get("updatedAt").asText()),
                    meta.get("lastCommandId").asText());
            return new AggregateView(body.get("type").asText(), body.get("id").asText(), body.get("version").asLong(), state,
                    snapshotMeta);
        } catch (RuntimeException e) {
            throw new AggregateReadException(response.statusCode(), "UNREADABLE", "cannot read the worker's answer "
                    + response.body() + ": " + e.getMessage(), e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
