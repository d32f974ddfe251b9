package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.http.AggregateReads;
import foldstream.worker.http.ApiServer;
import foldstream.worker.http.CommandEndpoint;
import foldstream.worker.http.Endpoint;
import foldstream.worker.http.Need;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.http.ProbeEndpoints;
import foldstream.worker.http.Route;
import foldstream.worker.http.RouteTable;
import foldstream.worker.http.ServedTypes;
import foldstream.worker.query.AggregateQueries;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The worker's HTTP API, on Jetty ({@link ApiServer} says why), in plain JSON:
 * <ul>
 *   <li>{@code POST /aggregates/{type}/{id}/commands/{CommandName}}: sends the body as that command
 *       and answers its {@code CommandResult} ({@link CommandEndpoint}).</li>
 *   <li>{@code GET /aggregates/{type}/{id}[?minVersion=N&waitMs=T]}: state, version and meta, from
 *       whichever instance owns the aggregate ({@link AggregateReads}).</li>
 *   <li>{@code GET /health}, {@code GET /ready}: the probes ({@link ProbeEndpoints}).</li>
 *   <li>Other capabilities' routes, given by {@link FoldstreamWorker}: {@code GET /projections[/{name}/{key}]}
 *       (docs/projections.md), {@code GET /processes/{name}/{id}} (docs/workflows.md).</li>
 * </ul>
 * Every request is authenticated (bearer token or client certificate) unless no credentials are
 * configured, and refused 401/403 before anything is read or sent; limits, TLS and credentials come
 * from {@link HttpApiSettings}. docs/facade.md and docs/security.md have the rest.
 *
 * <p>Adding an endpoint is one line in {@link #routes} (or one {@link Route} in {@code moreRoutes}): a
 * method, a path with {@code {parameters}}, what the caller needs ({@link Need}) and an
 * {@link Endpoint} answering a status and a body ({@link foldstream.worker.http.Reply}).
 */
public final class WorkerHttpServer implements AutoCloseable {

    private final AggregateReads reads;
    private final ApiServer server;

    /**
     * @param host the address to listen on (127.0.0.1 unless {@code application.server} is set)
     * @param port 0 for any free port
     * @param moreRoutes endpoints of other capabilities (metrics, projections, ...), matched before the worker's own
     *     (so the observability probes replace the plain {@code /health} and {@code /ready}):
     *     {@code List.of(Route.get("/metrics", Need.ops(), Endpoint.sync(call -> Reply.text(200, PROMETHEUS, registry.scrape()))))}
     */
    public WorkerHttpServer(String host, int port, HttpApiSettings settings, Supplier<KafkaStreams.State> state,
                            AggregateQueries queries, CommandGateway gateway, List<? extends AggregateType<?>> types,
                            List<Route> moreRoutes) {
        ServedTypes served = new ServedTypes(types);
        OwnerForwarding forwarding = new OwnerForwarding(settings.tls(), settings.forwardToken(), settings.limits().requestTimeout());
        this.reads = new AggregateReads(queries, served, forwarding, settings.limits());
        CommandEndpoint commands = new CommandEndpoint(gateway, served, reads, settings.limits());
        this.server = new ApiServer(host, port, settings.limits(), settings.tls(), settings.access(), settings.probesOpen(),
                RouteTable.builder().addAll(moreRoutes).addAll(routes(new ProbeEndpoints(state), reads, commands).routes()).build());
    }

    /** The API's routes; one line per endpoint. */
    static RouteTable routes(ProbeEndpoints probes, AggregateReads reads, CommandEndpoint commands) {
        return RouteTable.builder()
                .get("/health", Need.probe(), Endpoint.sync(probes::health))
                .get("/ready", Need.probe(), Endpoint.sync(probes::ready))
                .get("/aggregates/{type}/{id}", Need.read("type"), reads)
                .post("/aggregates/{type}/{id}/commands/{command}", Need.send("type"), commands)
                .build();
    }

    public WorkerHttpServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    /** {@code https} with TLS, else {@code http}. */
    public String scheme() {
        return server.tls() ? "https" : "http";
    }

    @Override
    public void close() {
        server.close();
        reads.close();
    }
}
