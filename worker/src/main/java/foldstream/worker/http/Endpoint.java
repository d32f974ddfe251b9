package foldstream.worker.http;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Answers the requests of one route. It may answer later (a command waiting for its result) without
 * holding a server thread; {@link #sync} adapts an endpoint that answers at once.
 *
 * <pre>{@code
 * Endpoint health = Endpoint.sync(call -> Reply.ok(Map.of("status", "UP")));
 * Endpoint state = call -> queries.read(call.path("type"), call.path("id"));    // a CompletableFuture<Reply>
 * }</pre>
 *
 * <p>Throw {@link HttpProblem} to refuse a request with a status and an error code; any other
 * exception answers 500 {@code INTERNAL} with no detail (the detail goes to the log).
 */
@FunctionalInterface
public interface Endpoint {

    CompletableFuture<Reply> answer(Call call);

    static Endpoint sync(Function<Call, Reply> answer) {
        return call -> CompletableFuture.completedFuture(answer.apply(call));
    }
}
