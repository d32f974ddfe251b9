package foldstream.worker.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The HTTP API's routes: method + path pattern → what the caller needs + the endpoint. Adding an
 * endpoint is one line:
 *
 * <pre>{@code
 * RouteTable routes = RouteTable.builder()
 *         .get("/aggregates/{type}/{id}", Need.read("type"), queries)
 *         .post("/aggregates/{type}/{id}/commands/{command}", Need.send("type"), commands)
 *         .get("/metrics", Need.ops(), Endpoint.sync(call -> Reply.text(200, "text/plain; version=0.0.4", registry.scrape())))
 *         .build();
 * }</pre>
 */
public final class RouteTable {

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static Builder builder() {
        return new Builder(List.of());
    }

    /** A builder holding these routes, to add more. */
    public Builder toBuilder() {
        return new Builder(routes);
    }

    public List<Route> routes() {
        return routes;
    }

    /** The route for a request: found, another method only, or none. */
    public Match match(String method, List<String> decodedSegments) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Optional<Map<String, String>> parameters = route.path().match(decodedSegments);
            if (parameters.isPresent()) {
                if (route.method().equals(method)) {
                    return new Match.Found(route, parameters.get());
                }
                pathKnown = true;
            }
        }
        return pathKnown ? new Match.WrongMethod() : new Match.None();
    }

    /** Every route, for the 404 message: {@code GET /health, POST /aggregates/{type}/{id}/commands/{command}}. */
    public String describe() {
        TreeSet<String> lines = new TreeSet<>();
        routes.forEach(route -> lines.add(route.method() + " " + route.path().text()));
        return String.join(", ", lines);
    }

    /**
     * A raw path's segments, percent-decoded one by one (so {@code %2F} stays inside its segment).
     * In a path {@code +} is a plus: URLDecoder, made for forms, would make it a space and an id such
     * as {@code ann+1@example.com} another aggregate's.
     */
    static List<String> segments(String rawPath, boolean decode) {
        String trimmed = rawPath.replaceAll("^/+|/+$", "");
        List<String> parts = new ArrayList<>();
        if (trimmed.isEmpty()) {
            return parts;
        }
        for (String part : trimmed.split("/", -1)) {
            parts.add(decode ? URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8) : part);
        }
        return parts;
    }

    /** Where a request goes. */
    public sealed interface Match {
        record Found(Route route, Map<String, String> parameters) implements Match {
        }

        /** The path is a route's, the method is not: 405. */
        record WrongMethod() implements Match {
        }

        record None() implements Match {
        }
    }

    /** Collects routes; the first that matches a request answers it. */
    public static final class Builder {
        private final List<Route> routes;

        private Builder(List<Route> routes) {
            this.routes = new ArrayList<>(routes);
        }

        public Builder get(String path, Need need, Endpoint endpoint) {
            return add(Route.get(path, need, endpoint));
        }

        public Builder post(String path, Need need, Endpoint endpoint) {
            return add(Route.post(path, need, endpoint));
        }

        public Builder addAll(List<Route> more) {
            routes.addAll(more);
            return this;
        }

        public Builder add(Route route) {
            routes.add(route);
            return this;
        }

        public RouteTable build() {
            return new RouteTable(routes);
        }
    }
}
