package foldstream.worker.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.CommandTimeoutException;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.observe.ObservabilityEndpoints;
import foldstream.worker.query.AggregateQueries;
import foldstream.worker.gateway.AggregateView;
import foldstream.worker.query.Lookup;
import foldstream.worker.serialization.AvroJson;
import foldstream.worker.serialization.SchemaRegistryException;
import foldstream.worker.serialization.WireFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP API (JDK server; JSON in Avro's own JSON encoding):
 * <ul>
 *   <li>{@code POST /aggregates/{type}/{id}/commands/{CommandName}}: sends the JSON body as that command
 *       and answers its {@code CommandResult}: 200 accepted or no change, 409 wrong version or already
 *       exists, 404 not found, 422 rejected, 500 failed, 504 no result in time. Optional headers {@code Command-Id}, {@code Expected-Version}, {@code Correlation-Id};
 *       optional {@code ?timeoutMs=}. With {@code ?answer=state}, the answer is
 *       {@code {"result": <CommandResult>, "state": <the GET answer at the result's version>}} (state
 *       null unless accepted or no change), like Commanded's dispatch returning the aggregate state.</li>
 *   <li>{@code GET /aggregates/{type}/{id}[?minVersion=N&waitMs=T]}: state, version and meta, from
 *       whichever instance owns the aggregate; with {@code minVersion}, waits up to T ms for that
 *       version (read-your-writes) and answers 409 if it does not come.</li>
 *   <li>{@code GET /metrics} (Prometheus text), {@code GET /health} and {@code GET /ready}: see
 *       {@link ObservabilityEndpoints} and docs/observability.md.</li>
 * </ul>
 * Bad requests get a 4xx with {@code {"error": ..., "message": ...}} and nothing is sent to Kafka: 404
 * unknown type or command (naming the known ones), 400 JSON that is malformed or does not fit the
 * command's schema, a bad header or parameter, 413 a body over the limit. docs/facade.md has the rest.
 */
public final class WorkerHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerHttpServer.class);
    static final String FORWARDED = "Foldstream-Forwarded";
    private static final long POLL_MS = 20;
    /** How much of a refused request body is read and dropped so that the answer reaches the client. */
    private static final long MAX_DRAIN_BYTES = 64L << 20;

    static {
        // The JDK server writes the headers and the body of an answer separately and leaves Nagle's
        // algorithm on: on a kept-alive connection every answer then waits ~40 ms for the client's
        // delayed ACK. The JDK reads the setting once, when the first server of the JVM is made; one
        // set by the user wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * @param host the address to listen on (127.0.0.1 by default)
     * @param port 0 for any free port
     * @param maxBodyBytes larger command bodies are refused with 413
     * @param commandTimeout how long a command waits for its result unless the request says otherwise
     */
    public record Settings(String host, int port, int maxBodyBytes, Duration commandTimeout) {
        public static Settings defaults(int port) {
            return new Settings("127.0.0.1", port, 1 << 20, Duration.ofSeconds(10));
        }
    }

    private final Settings settings;
    private final Supplier<KafkaStreams.State> state;
    private final ObservabilityEndpoints observability;
    private static final java.util.Set<String> PROBES = java.util.Set.of("metrics", "health", "ready");
    private final AggregateQueries queries;
    private final CommandGateway gateway;
    private final Map<String, AggregateType<?>> types = new HashMap<>();
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(16, daemon("foldstream-http"));
    private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(daemon("foldstream-http-waits"));
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public WorkerHttpServer(Settings settings, Supplier<KafkaStreams.State> state, AggregateQueries queries,
                            CommandGateway gateway, List<? extends AggregateType<?>> types,
                            ObservabilityEndpoints observability) throws IOException {
        this.settings = settings;
        this.observability = observability;
        this.state = state;
        this.queries = queries;
        this.gateway = gateway;
        types.forEach(type -> this.types.put(type.name(), type));
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public WorkerHttpServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try {
            String[] path = segments(exchange.getRequestURI().getRawPath());
            String method = exchange.getRequestMethod();
            if (path.length == 1 && PROBES.contains(path[0]) && method.equals("GET")) {
                ObservabilityEndpoints.Answer answer = switch (path[0]) {
                    case "metrics" -> observability.metrics();
                    case "health" -> observability.health();
                    default -> observability.ready();
                };
                respond(exchange, answer.status(), answer.contentType(), answer.body());
            } else if (path.length == 3 && path[0].equals("aggregates") && method.equals("GET")) {
                query(exchange, path[1], path[2], parameters(exchange.getRequestURI()));
            } else if (path.length == 5 && path[0].equals("aggregates") && path[3].equals("commands") && method.equals("POST")) {
                command(exchange, path[1], path[2], path[4]);
            } else {
                respond(exchange, 404, JsonText.error("NO_SUCH_ENDPOINT", method + " " + exchange.getRequestURI().getPath()
                        + " is not an endpoint; see GET /aggregates/{type}/{id}, POST /aggregates/{type}/{id}/commands/{name},"
                        + " GET /health, GET /ready, GET /metrics"));
            }
        } catch (BadRequest e) {
            respond(exchange, e.status, JsonText.error(e.error, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("HTTP {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            respond(exchange, 500, JsonText.error("INTERNAL", e.toString()));
        }
    }

    // ---- commands

    private void command(HttpExchange exchange, String typeName, String id, String commandName) {
        AggregateType<?> type = knownType(typeName);
        Class<? extends SpecificRecord> commandClass = type.commandNamed(commandName).orElseThrow(() -> new BadRequest(404,
                "UNKNOWN_COMMAND", typeName + " has no command " + commandName + "; its commands are " + type.commandNames()));
        String body = body(exchange);
        SpecificRecord command;
        try {
            command = AvroJson.read(body, commandClass);
        } catch (WireFormatException e) {
            throw new BadRequest(400, "INVALID_JSON", e.getMessage());
        }
        SendOptions options = SendOptions.defaults().withTimeout(settings.commandTimeout());
        String commandId = exchange.getRequestHeaders().getFirst("Command-Id");
        if (commandId != null && !commandId.isBlank()) {
            options = options.withCommandId(commandId);
        }
        options = options.withExpectedVersion(longHeader(exchange, "Expected-Version", -1));
        String correlation = exchange.getRequestHeaders().getFirst("Correlation-Id");
        if (correlation != null && !correlation.isBlank()) {
            options = options.withCorrelationId(correlation);
        }
        Map<String, String> params = parameters(exchange.getRequestURI());
        if (params.containsKey("timeoutMs")) {
            options = options.withTimeout(Duration.ofMillis(positive(params.get("timeoutMs"), "timeoutMs")));
        }
        boolean withState = withState(params.get("answer"));
        String sentId = options.commandId();
        long stateWaitMs = options.timeout().toMillis();
        CompletableFuture<CommandResult> sent;
        try {
            sent = gateway.send(typeName, id, command, options);
        } catch (SchemaRegistryException e) {
            throw new BadRequest(503, "NOT_SENT", "the command could not be encoded, the schema registry failed: " + e.getMessage());
        }
        sent.thenCompose(result -> withState ? withState(result, typeName, id, stateWaitMs)
                        : CompletableFuture.completedFuture(new Answer(status(result.getOutcome()), AvroJson.write(result))))
                .whenComplete((answer, error) -> {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause instanceof CommandTimeoutException timeout) {
                        respond(exchange, 504, "{\"error\":\"TIMEOUT\",\"commandId\":" + JsonText.quote(sentId)
                                + ",\"message\":" + JsonText.quote(timeout.getMessage()) + "}");
                    } else if (cause != null) {
                        respond(exchange, 503, JsonText.error("NOT_SENT", "the command could not be sent: " + cause));
                    } else {
                        respond(exchange, answer.status(), answer.body());
                    }
                });
    }

    /** {@code ?answer=result} (the default) or {@code ?answer=state}. */
    private static boolean withState(String answer) {
        if (answer == null || answer.equals("result")) {
            return false;
        }
        if (answer.equals("state")) {
            return true;
        }
        throw new BadRequest(400, "INVALID_PARAMETER", "answer must be 'result' or 'state', was '" + answer + "'");
    }

    /**
     * {@code {"result": ..., "state": ...}}: the state is the GET answer at the result's version, read
     * through this server's own query path (here or forwarded to the owner), waiting up to
     * {@code waitMs}; null when the command changed nothing it could be read at (refusals). When
     * the state cannot be read, the result still answers, with {@code "stateError"} saying why.
     */
    private CompletableFuture<Answer> withState(CommandResult result, String typeName, String id, long waitMs) {
        int status = status(result.getOutcome());
        String resultJson = AvroJson.write(result);
        if (result.getOutcome() != Outcome.ACCEPTED && result.getOutcome() != Outcome.NO_CHANGE) {
            return CompletableFuture.completedFuture(new Answer(status, "{\"result\":" + resultJson + ",\"state\":null}"));
        }
        return read(typeName, id, result.getVersion(), waitMs, false).handle((state, error) -> {
            if (error != null) {
                LOG.error("reading the state of {} '{}' after command {} failed", typeName, id, result.getCommandId(), error);
                return new Answer(status, "{\"result\":" + resultJson + ",\"state\":null,\"stateError\":"
                        + JsonText.error("INTERNAL", error.toString()) + "}");
            }
            return state.status() == 200
                    ? new Answer(status, "{\"result\":" + resultJson + ",\"state\":" + state.body() + "}")
                    : new Answer(status, "{\"result\":" + resultJson + ",\"state\":null,\"stateError\":" + state.body() + "}");
        });
    }

    static int status(Outcome outcome) {
        return switch (outcome) {
            case ACCEPTED, NO_CHANGE -> 200;
            case WRONG_EXPECTED_VERSION, ALREADY_EXISTS -> 409;
            case NOT_FOUND -> 404;
            case REJECTED -> 422;
            case MALFORMED, UNKNOWN_COMMAND -> 400;
            case FAILED -> 500;
        };
    }

    /** The body, up to the limit; left open, so that a refused rest is drained when the answer is sent. */
    private String body(HttpExchange exchange) {
        try {
            byte[] bytes = exchange.getRequestBody().readNBytes(settings.maxBodyBytes() + 1);
            if (bytes.length > settings.maxBodyBytes()) {
                throw new BadRequest(413, "BODY_TOO_LARGE", "the body is larger than " + settings.maxBodyBytes() + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadRequest(400, "UNREADABLE_BODY", "cannot read the body: " + e.getMessage());
        }
    }

    // ---- queries

    private void query(HttpExchange exchange, String typeName, String id, Map<String, String> params) {
        knownType(typeName);
        long minVersion = params.containsKey("minVersion") ? nonNegative(params.get("minVersion"), "minVersion") : -1;
        long waitMs = params.containsKey("waitMs") ? nonNegative(params.get("waitMs"), "waitMs") : 0;
        boolean forwarded = exchange.getRequestHeaders().containsKey(FORWARDED);
        read(typeName, id, minVersion, waitMs, forwarded).whenComplete((answer, error) -> respond(exchange, answer, error));
    }

    /**
     * The GET answer for one aggregate, from here or from its owner: it completes once the version is
     * reached, or with 409 when {@code waitMs} passes first. Never blocks: waits are re-checks on the
     * scheduler, forwarding is the asynchronous HTTP client.
     */
    private CompletableFuture<Answer> read(String typeName, String id, long minVersion, long waitMs, boolean forwarded) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        attempt(answer, typeName, id, minVersion, waitMs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), forwarded);
        return answer;
    }

    /** Answers now, or re-checks shortly on the scheduler until the version is reached or the deadline passes. */
    private void attempt(CompletableFuture<Answer> answer, String typeName, String id, long minVersion, long waitMs,
                         long deadline, boolean forwarded) {
        try {
            Lookup lookup = queries.lookup(typeName, id);
            if (lookup instanceof Lookup.Found found) {
                AggregateView view = found.view();
                if (view.version() >= minVersion) {
                    answer.complete(new Answer(200, json(view)));
                } else if (System.nanoTime() >= deadline) {
                    answer.complete(new Answer(409, "{\"error\":\"VERSION_NOT_REACHED\",\"message\":" + JsonText.quote(typeName
                            + " '" + id + "' is at version " + view.version() + ", not " + minVersion + ", after " + waitMs + " ms")
                            + ",\"version\":" + view.version() + "}"));
                } else {
                    retryLater(answer, typeName, id, minVersion, waitMs, deadline, forwarded);
                }
            } else if (lookup instanceof Lookup.Elsewhere elsewhere && !forwarded) {
                forward(answer, elsewhere, typeName, id, minVersion, deadline);
            } else if (System.nanoTime() < deadline) {
                retryLater(answer, typeName, id, minVersion, waitMs, deadline, forwarded);
            } else {
                String reason = lookup instanceof Lookup.NotReady notReady ? notReady.reason()
                        : "the owner changed while the request was forwarded";
                answer.complete(new Answer(503, JsonText.error("NOT_READY", reason)));
            }
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    private void retryLater(CompletableFuture<Answer> answer, String typeName, String id, long minVersion, long waitMs,
                            long deadline, boolean forwarded) {
        try {
            waits.schedule(() -> attempt(answer, typeName, id, minVersion, waitMs, deadline, forwarded), POLL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            answer.complete(new Answer(503, JsonText.error("NOT_READY", "the worker is stopping")));
        }
    }

    private void forward(CompletableFuture<Answer> answer, Lookup.Elsewhere owner, String typeName, String id, long minVersion,
                         long deadline) {
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        String query = minVersion >= 0 ? "?minVersion=" + minVersion + "&waitMs=" + waitMs : "";
        URI uri = URI.create("http://" + owner.owner().host() + ":" + owner.owner().port() + "/aggregates/"
                + encode(typeName) + "/" + encode(id) + query);
        HttpRequest request = HttpRequest.newBuilder(uri).header(FORWARDED, "true")
                .timeout(Duration.ofMillis(waitMs + 10_000)).GET().build();
        forwarder.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error != null) {
                answer.complete(new Answer(502, JsonText.error("OWNER_UNREACHABLE", "the owner of " + typeName + " '" + id
                        + "' at " + uri.getAuthority() + " did not answer: " + error)));
            } else {
                answer.complete(new Answer(response.statusCode(), response.body()));
            }
        });
    }

    private static String json(AggregateView view) {
        String meta = view.meta() == null ? "null"
                : "{\"createdAt\":" + JsonText.quote(view.meta().getCreatedAt().toString())
                + ",\"updatedAt\":" + JsonText.quote(view.meta().getUpdatedAt().toString())
                + ",\"lastCommandId\":" + JsonText.quote(view.meta().getLastCommandId()) + "}";
        return "{\"type\":" + JsonText.quote(view.type()) + ",\"id\":" + JsonText.quote(view.id())
                + ",\"version\":" + view.version() + ",\"state\":" + AvroJson.write(view.state()) + ",\"meta\":" + meta + "}";
    }

    // ---- plumbing

    private AggregateType<?> knownType(String name) {
        AggregateType<?> type = types.get(name);
        if (type == null) {
            throw new BadRequest(404, "UNKNOWN_TYPE", "no aggregate type " + name + "; this worker serves "
                    + types.keySet().stream().sorted().toList());
        }
        return type;
    }

    private static long longHeader(HttpExchange exchange, String name, long absent) {
        String value = exchange.getRequestHeaders().getFirst(name);
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < -1) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "INVALID_HEADER", name + " must be -1, 0 or a version, was '" + value + "'");
        }
    }

    private static long nonNegative(String value, String name) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "INVALID_PARAMETER", name + " must be a whole number of 0 or more, was '" + value + "'");
        }
    }

    private static long positive(String value, String name) {
        long parsed = nonNegative(value, name);
        if (parsed == 0) {
            throw new BadRequest(400, "INVALID_PARAMETER", name + " must be positive");
        }
        return parsed;
    }

    private static String[] segments(String rawPath) {
        String trimmed = rawPath.replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        String[] parts = trimmed.split("/");
        for (int i = 0; i < parts.length; i++) {
            // Percent-decoding only: in a path '+' is a plus (URLDecoder, made for forms, would make it
            // a space, and an id such as "ann+1@example.com" another aggregate's).
            parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        return parts;
    }

    private static Map<String, String> parameters(URI uri) {
        Map<String, String> params = new HashMap<>();
        String query = uri.getRawQuery();
        if (query == null) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** An answer, or a 500 for a failure no path above turned into one. */
    private static void respond(HttpExchange exchange, Answer answer, Throwable error) {
        if (error != null) {
            LOG.error("HTTP {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), error);
            respond(exchange, 500, JsonText.error("INTERNAL", error.toString()));
        } else {
            respond(exchange, answer.status(), answer.body());
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) {
        respond(exchange, status, "application/json", body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            out.write(bytes);
            out.flush();
            drainRequestBody(exchange);
        } catch (IOException e) {
            LOG.debug("could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    /**
     * Reads what is left of a request body that was refused unread (too large, unknown command):
     * closing a connection with unread bytes resets it, and the client loses the answer just sent.
     * Beyond {@link #MAX_DRAIN_BYTES} the connection is closed anyway.
     */
    private static void drainRequestBody(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        byte[] discard = new byte[64 * 1024];
        long drained = 0;
        int read;
        while (drained < MAX_DRAIN_BYTES && (read = in.read(discard)) >= 0) {
            drained += read;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        waits.shutdownNow();
        handlers.shutdownNow();
    }

    /** A status and JSON body, not yet sent. */
    private record Answer(int status, String body) {
    }

    /** A request refused before anything is sent. */
    private static final class BadRequest extends RuntimeException {
        final int status;
        final String error;

        BadRequest(int status, String error, String message) {
            super(message);
            this.status = status;
            this.error = error;
        }
    }
}
