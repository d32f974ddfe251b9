package foldstream.worker.http;

/**
 * One entry of the {@link RouteTable}: a method and path, what the caller needs, who answers.
 *
 * <pre>{@code
 * Route.get("/metrics", Need.ops(), Endpoint.sync(call -> Reply.text(200, "text/plain; version=0.0.4", registry.scrape())));
 * }</pre>
 */
public record Route(String method, PathPattern path, Need need, Endpoint endpoint) {

    /** {@code Route.get("/projections/{name}/{key}", Need.read("name"), endpoint)} */
    public static Route get(String path, Need need, Endpoint endpoint) {
        return new Route("GET", PathPattern.of(path), need, endpoint);
    }

    public static Route post(String path, Need need, Endpoint endpoint) {
        return new Route("POST", PathPattern.of(path), need, endpoint);
    }
}
