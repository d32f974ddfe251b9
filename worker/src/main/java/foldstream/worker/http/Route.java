package foldstream.worker.http;

/**
 * One entry of the {@link RouteTable}: a method and path, what the caller needs, who answers.
 *
 * <pre>{@code
 * new Route("GET", PathPattern.of("/metrics"), Need.ops(), Endpoint.sync(call -> Reply.text(200, "text/plain", scrape())));
 * }</pre>
 */
public record Route(String method, PathPattern path, Need need, Endpoint endpoint) {
}
