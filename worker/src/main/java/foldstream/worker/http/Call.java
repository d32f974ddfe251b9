package foldstream.worker.http;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One request as an {@link Endpoint} sees it: decoded path parameters and query parameters, its
 * headers, who sent it, and its body, read only when asked for (up to the limit).
 *
 * <pre>{@code
 * String type = call.path("type");
 * long waitMs = call.query("waitMs").map(Long::parseLong).orElse(0L);
 * call.body().thenApply(json -> ...);   // fails with HttpProblem 413 over the limit
 * }</pre>
 */
public final class Call {

    private final String method;
    private final Map<String, String> path;
    private final Map<String, String> query;
    private final Function<String, String> headers;
    private final Grant grant;
    private final Supplier<CompletableFuture<String>> body;

    /**
     * @param headers a header's value by name (case-insensitive), or null
     * @param body reads the body when called: at most once
     */
    public Call(String method, Map<String, String> path, Map<String, String> query, Function<String, String> headers, Grant grant,
                Supplier<CompletableFuture<String>> body) {
        this.method = method;
        this.path = Map.copyOf(path);
        this.query = Map.copyOf(query);
        this.headers = headers;
        this.grant = grant;
        this.body = body;
    }

    public String method() {
        return method;
    }

    /** A path parameter of the route, decoded: {@code {id}} in {@code /aggregates/{type}/{id}}. */
    public String path(String name) {
        String value = path.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route has no path parameter " + name);
        }
        return value;
    }

    public Map<String, String> pathParameters() {
        return path;
    }

    /** A query parameter, decoded; the first when repeated. */
    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public Map<String, String> queryParameters() {
        return query;
    }

    /** A header; blank values count as absent. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.apply(name)).filter(value -> !value.isBlank());
    }

    /** What the caller may do (everything when no credentials are configured). */
    public Grant grant() {
        return grant;
    }

    /** The body as UTF-8 text; fails with an {@link HttpProblem} 413 when larger than the limit (then it is not read). */
    public CompletableFuture<String> body() {
        return body.get();
    }
}
