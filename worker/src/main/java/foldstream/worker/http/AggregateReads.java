package foldstream.worker.http;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.worker.query.AggregateQueries;
import foldstream.worker.gateway.AggregateView;
import foldstream.worker.query.Lookup;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /aggregates/{type}/{id}[?minVersion=N&waitMs=T]}: the aggregate's state, version and
 * meta in plain JSON, from this instance or forwarded to its owner; with {@code minVersion}, waits
 * up to {@code waitMs} (capped by {@link HttpLimits#maxWait()}) for that version, else 409.
 *
 * <pre>{@code
 * {"type": "ex_accounts", "id": "a1", "version": 2, "state": {"owner": "ann", "balance": 30},
 *  "meta": {"createdAt": "2026-11-23T15:38:02.784Z", "updatedAt": "...", "lastCommandId": "dep-1"}}
 * }</pre>
 *
 * Never blocks: waits are re-checks on a scheduler, forwarding is the asynchronous HTTP client.
 */
public final class AggregateReads implements Endpoint, AutoCloseable {

    private static final long POLL_MS = 20;

    private final AggregateQueries queries;
    private final ServedTypes types;
    private final OwnerForwarding forwarding;
    private final HttpLimits limits;
    private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "foldstream-http-waits");
        thread.setDaemon(true);
        return thread;
    });

    public AggregateReads(AggregateQueries queries, ServedTypes types, OwnerForwarding forwarding, HttpLimits limits) {
        this.queries = queries;
        this.types = types;
        this.forwarding = forwarding;
        this.limits = limits;
    }

    /** The aggregate as this API answers it. */
    public record Answer(String type, String id, long version, JsonNode state, Meta meta) {
        static Answer of(AggregateView view) {
            return new Answer(view.type(), view.id(), view.version(), PlainJson.write(view.state()), view.meta() == null ? null
                    : new Meta(view.meta().getCreatedAt().toString(), view.meta().getUpdatedAt().toString(),
                    view.meta().getLastCommandId()));
        }
    }

    /** When the aggregate was created and last changed, and by which command. */
    public record Meta(String createdAt, String updatedAt, String lastCommandId) {
    }

    @Override
    public CompletableFuture<Reply> answer(Call call) {
        String type = call.path("type");
        types.require(type);
        long minVersion = Parameters.nonNegative(call, "minVersion", -1);
        long waitMs = limits.capWaitMs(Parameters.nonNegative(call, "waitMs", 0));
        return read(type, call.path("id"), minVersion, waitMs, call.header(OwnerForwarding.FORWARDED).isPresent());
    }

    /**
     * The answer for one aggregate, from here or from its owner: it completes once the version is
     * reached, or with 409 when {@code waitMs} passes first.
     */
    public CompletableFuture<Reply> read(String type, String id, long minVersion, long waitMs, boolean forwarded) {
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        attempt(new Wanted(type, id, minVersion, waitMs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs), forwarded), answer);
        return answer;
    }

    private record Wanted(String type, String id, long minVersion, long waitMs, long deadline, boolean forwarded) {
        boolean late() {
            return System.nanoTime() >= deadline;
        }
    }

    /** Answers now, or re-checks shortly until the version is reached or the deadline passes. */
    private void attempt(Wanted wanted, CompletableFuture<Reply> answer) {
        try {
            Lookup lookup = queries.lookup(wanted.type(), wanted.id());
            if (lookup instanceof Lookup.Found found) {
                AggregateView view = found.view();
                if (view.version() >= wanted.minVersion()) {
                    answer.complete(Reply.ok(Answer.of(view)));
                } else if (wanted.late()) {
                    answer.complete(Reply.error(409, "VERSION_NOT_REACHED", wanted.type() + " '" + wanted.id() + "' is at version "
                            + view.version() + ", not " + wanted.minVersion() + ", after " + wanted.waitMs() + " ms",
                            Map.of("version", view.version())));
                } else {
                    retryLater(wanted, answer);
                }
            } else if (lookup instanceof Lookup.Elsewhere elsewhere && !wanted.forwarded()) {
                long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(wanted.deadline() - System.nanoTime()));
                String query = wanted.minVersion() >= 0 ? "?minVersion=" + wanted.minVersion() + "&waitMs=" + left : "";
                forwarding.get(elsewhere.owner(), "/aggregates/" + OwnerForwarding.encode(wanted.type()) + "/"
                        + OwnerForwarding.encode(wanted.id()) + query, Duration.ofMillis(left)).whenComplete((reply, error) -> {
                            if (error != null) {
                                answer.completeExceptionally(error);
                            } else {
                                answer.complete(reply);
                            }
                        });
            } else if (!wanted.late()) {
                retryLater(wanted, answer);
            } else {
                answer.complete(Reply.error(503, "NOT_READY", lookup instanceof Lookup.NotReady notReady ? notReady.reason()
                        : "the owner changed while the request was forwarded"));
            }
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    private void retryLater(Wanted wanted, CompletableFuture<Reply> answer) {
        try {
            waits.schedule(() -> attempt(wanted, answer), POLL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            answer.complete(Reply.error(503, "NOT_READY", "the worker is stopping"));
        }
    }

    @Override
    public void close() {
        waits.shutdownNow();
    }
}
