package foldstream.worker.projection.runtime;

import foldstream.worker.http.OwnerForwarding;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The logic of the worker's projection endpoints, apart from any HTTP server: it takes the decoded
 * path segments and query parameters and answers a status with a Jackson-serializable body.
 * <ul>
 *   <li>{@code GET /projections}: the projections this worker runs and their state.</li>
 *   <li>{@code GET /projections/{name}/{key}[?aggregate=ID&aggregateType=T&minVersion=N&waitMs=T]}:
 *       the key's state, from whichever instance owns the key (forwarded there); 404 when no event
 *       reached the key. With {@code aggregate} and {@code minVersion}, waits up to {@code waitMs}
 *       until that aggregate's version N is applied at the key (read-your-writes), else 409. The
 *       serving generation answers (see {@link ProjectionGenerations}); {@code generation=G}, which a
 *       forwarded read carries, asks for that one and gets 503 where it no longer runs.</li>
 * </ul>
 *
 * <pre>{@code
 * ProjectionEndpoint.Answer answer = endpoint.get("user-directory", "ann@example.com", Map.of(), false).join();
 * }</pre>
 */
public final class ProjectionEndpoint implements AutoCloseable {

    /** Marks a request one instance forwarded to the key's owner, so it is not forwarded again. */
    public static final String FORWARDED = OwnerForwarding.FORWARDED;
    /** The query parameter naming a generation (set on forwarded reads): answer from that generation or not at all. */
    public static final String GENERATION = "generation";
    private static final long POLL_MS = 20;

    /** A status and a body Jackson writes as JSON. */
    public record Answer(int status, Object body) {
    }

    private final ProjectionHost host;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "foldstream-projection-waits");
        thread.setDaemon(true);
        return thread;
    });
    private final OwnerForwarding forwarding;

    /** @param forwarding how to ask a key's owner: the same TLS and credentials as aggregate reads */
    public ProjectionEndpoint(ProjectionHost host, OwnerForwarding forwarding) {
        this.host = host;
        this.forwarding = forwarding;
    }

    /** The body as JSON text. */
    public String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer as JSON", e);
        }
    }

    public Answer list() {
        return new Answer(200, Map.of("projections", host.status()));
    }

    public CompletableFuture<Answer> get(String name, String key, Map<String, String> params, boolean forwarded) {
        Optional<Integer> generation;
        try {
            // A forwarded read names the generation it was resolved in: the owner answers from that one, never another.
            generation = params.containsKey(GENERATION) ? Optional.of((int) nonNegative(params.get(GENERATION), GENERATION)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return done(error(400, "INVALID_PARAMETER", e.getMessage()));
        }
        Optional<EmbeddedProjectionQueries> found = host.embedded(name, generation);
        if (found.isEmpty()) {
            if (generation.isPresent() && host.embedded(name).isPresent()) {
                return done(error(503, "NOT_READY", "generation " + generation.get() + " of projection " + name
                        + " is not run here (a reset switched generations meanwhile); ask again"));
            }
            return done(host.knows(name)
                    ? error(404, "NOT_QUERYABLE", "projection " + name + " writes to a database: query its tables")
                    : error(404, "UNKNOWN_PROJECTION", "no projection " + name + " here; this worker runs " + host.names()));
        }
        EmbeddedProjectionQueries queries = found.get();
        Optional<EmbeddedProjectionQueries.AggregateRef> aggregate;
        long minVersion;
        long waitMs;
        try {
            minVersion = params.containsKey("minVersion") ? nonNegative(params.get("minVersion"), "minVersion") : -1;
            waitMs = params.containsKey("waitMs") ? nonNegative(params.get("waitMs"), "waitMs") : 0;
            aggregate = aggregate(queries, params);
        } catch (IllegalArgumentException e) {
            return done(error(400, "INVALID_PARAMETER", e.getMessage()));
        }
        if (minVersion >= 0 && aggregate.isEmpty()) {
            return done(error(400, "INVALID_PARAMETER", "minVersion needs aggregate=ID: the version is an aggregate's"));
        }
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        attempt(answer, new Read(name, key, aggregate, minVersion, params, generation,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), forwarded));
        return answer;
    }

    /** One read, asked again until it is answered or its deadline passes. */
    private record Read(String name, String key, Optional<EmbeddedProjectionQueries.AggregateRef> aggregate, long minVersion,
                        Map<String, String> params, Optional<Integer> generation, long deadline, boolean forwarded) {
    }

    private static Optional<EmbeddedProjectionQueries.AggregateRef> aggregate(EmbeddedProjectionQueries queries, Map<String, String> params) {
        String id = params.get("aggregate");
        if (id == null) {
            return Optional.empty();
        }
        String type = params.get("aggregateType");
        if (type == null) {
            if (queries.projection().follows().size() != 1) {
                throw new IllegalArgumentException("say aggregateType=: projection " + queries.projection().name() + " follows "
                        + queries.projection().follows());
            }
            type = queries.projection().follows().get(0);
        }
        return Optional.of(new EmbeddedProjectionQueries.AggregateRef(type, id));
    }

    private void attempt(CompletableFuture<Answer> answer, Read read) {
        try {
            // Resolved at every attempt: a reset may switch the serving generation while a read waits.
            Optional<EmbeddedProjectionQueries> resolved = host.embedded(read.name(), read.generation());
            if (resolved.isEmpty()) {
                answer.complete(error(503, "NOT_READY", "generation " + read.generation().orElse(0) + " of projection " + read.name()
                        + " stopped here while the read waited; ask again"));
                return;
            }
            EmbeddedProjectionQueries queries = resolved.get();
            ProjectionLookup lookup = queries.lookup(read.key(), read.aggregate());
            if (lookup instanceof ProjectionLookup.Elsewhere elsewhere) {
                if (read.forwarded()) {
                    answer.complete(error(503, "NOT_READY", "the owner of key '" + read.key() + "' changed while the request was forwarded"));
                } else {
                    forward(answer, elsewhere, read, queries.generation());
                }
                return;
            }
            boolean waiting = read.minVersion() >= 0 && !EmbeddedProjectionQueries.reached(lookup, read.minVersion());
            if ((waiting || lookup instanceof ProjectionLookup.NotReady) && System.nanoTime() < read.deadline()) {
                retry(answer, read);
                return;
            }
            answer.complete(answer(lookup, queries, read.key(), read.aggregate(), read.minVersion()));
        } catch (RejectedExecutionException closing) {
            answer.complete(error(503, "NOT_READY", "the worker is stopping"));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    private static Answer answer(ProjectionLookup lookup, EmbeddedProjectionQueries queries, String key,
                                 Optional<EmbeddedProjectionQueries.AggregateRef> aggregate, long minVersion) {
        if (lookup instanceof ProjectionLookup.NotReady notReady) {
            return error(503, "NOT_READY", notReady.reason());
        }
        ProjectionLookup.Found found = (ProjectionLookup.Found) lookup;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projection", queries.projection().name());
        body.put("version", queries.projection().version());
        body.put("generation", queries.generation());
        body.put("key", key);
        body.put("state", found.state().orElse(null));
        if (aggregate.isPresent()) {
            Progress progress = found.applied().orElse(Progress.NONE);
            Map<String, Object> applied = new LinkedHashMap<>();
            applied.put("aggregateType", aggregate.get().type());
            applied.put("aggregateId", aggregate.get().id());
            applied.put("version", progress.version());
            progress.stopped().ifPresent(reason -> applied.put("stopped", reason));
            body.put("applied", applied);
            if (progress.stopped().isPresent()) {
                return new Answer(409, withError(body, "STOPPED", progress.stopped().get()));
            }
            if (minVersion >= 0 && progress.version() < minVersion) {
                return new Answer(409, withError(body, "VERSION_NOT_REACHED", "projection " + queries.projection().id() + " has applied "
                        + aggregate.get().type() + " '" + aggregate.get().id() + "' up to version " + progress.version()
                        + " at key '" + key + "', not " + minVersion + ", in the time given"));
            }
        }
        if (found.state().isEmpty()) {
            return new Answer(404, withError(body, "NO_SUCH_KEY", "no event of projection " + queries.projection().id()
                    + " reached key '" + key + "'"));
        }
        return new Answer(200, body);
    }

    private static Map<String, Object> withError(Map<String, Object> body, String error, String message) {
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("error", error);
        with.put("message", message);
        with.putAll(body);
        return with;
    }

    private void forward(CompletableFuture<Answer> answer, ProjectionLookup.Elsewhere owner, Read read, int generation) {
        String name = read.name();
        String key = read.key();
        Map<String, String> params = read.params();
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(read.deadline() - System.nanoTime()));
        StringBuilder query = new StringBuilder("?waitMs=").append(waitMs).append('&').append(GENERATION).append('=').append(generation);
        params.forEach((param, value) -> {
            if (!param.equals("waitMs") && !param.equals(GENERATION)) {
                query.append('&').append(encode(param)).append('=').append(encode(value));
            }
        });
        forwarding.get(owner.owner(), "/projections/" + encode(name) + "/" + encode(key) + query, Duration.ofMillis(waitMs))
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        answer.complete(error(502, "OWNER_UNREACHABLE", "the owner of key '" + key + "' of projection " + name
                                + " did not answer"));
                    } else if (reply.status() == 503 && System.nanoTime() < read.deadline()) {
                        // The owner no longer runs this generation (it switched first): ask again, here in the next one.
                        retry(answer, read);
                    } else {
                        answer.complete(new Answer(reply.status(), reply.body()));
                    }
                });
    }

    private void retry(CompletableFuture<Answer> answer, Read read) {
        try {
            waits.schedule(() -> attempt(answer, read), POLL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            answer.complete(error(503, "NOT_READY", "the worker is stopping"));
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static long nonNegative(String value, String name) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a whole number of 0 or more, was '" + value + "'");
    }

    private static Answer error(int status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return new Answer(status, body);
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    @Override
    public void close() {
        waits.shutdownNow();
    }
}
