package foldstream.worker.app;

import foldstream.worker.http.Endpoint;
import foldstream.worker.http.Need;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.http.Reply;
import foldstream.worker.http.Route;
import foldstream.worker.observe.ObservabilityEndpoints;
import foldstream.worker.observe.WorkerObservability;
import foldstream.worker.projection.runtime.ProjectionEndpoint;
import java.util.List;

/**
 * The HTTP routes of a worker beyond the aggregates' own ({@link WorkerHttpServer#routes}): metrics, the
 * probes, process and projection reads. Both a worker of aggregate types and one of process managers or
 * projections only ({@link PartsOnlyWorker}) serve them.
 *
 * <pre>{@code
 * List<Route> routes = WorkerRoutes.parts(observability, processView, projectionView);
 * }</pre>
 */
final class WorkerRoutes {

    static final String NO_AGGREGATE_TYPES = "NO_AGGREGATE_TYPES";

    private WorkerRoutes() {
    }

    /** {@code /metrics}, {@code /health}, {@code /ready}, {@code /processes/{name}/{id}}, {@code /projections[/{name}/{key}]}. */
    static List<Route> parts(WorkerObservability observability, ProcessStatusEndpoint processView, ProjectionEndpoint projectionView) {
        return List.of(
                Route.get("/metrics", Need.ops(), Endpoint.sync(call -> reply(observability.endpoints().metrics()))),
                // Probes answer anyone while open; what each check found (partitions, errors) only callers with ops.
                Route.get("/health", Need.probe(), Endpoint.sync(call -> reply(observability.endpoints().health(call.grant().ops())))),
                Route.get("/ready", Need.probe(), Endpoint.sync(call -> reply(observability.endpoints().ready(call.grant().ops())))),
                Route.get("/processes/{name}/{id}", Need.read("name"), call -> processView.get(call.path("name"),
                        call.path("id"), call.header(OwnerForwarding.FORWARDED).isPresent())),
                Route.get("/projections", Need.ops(), Endpoint.sync(call -> reply(projectionView.list()))),
                Route.get("/projections/{name}/{key}", Need.read("name"), call -> projectionView.get(call.path("name"),
                        call.path("key"), call.queryParameters(), call.header(OwnerForwarding.FORWARDED).isPresent())
                        .thenApply(WorkerRoutes::reply)));
    }

    /**
     * The aggregate routes of a worker that runs no aggregate types: 404 {@value #NO_AGGREGATE_TYPES}, saying so, after
     * the same authorization as on a worker of the type.
     */
    static List<Route> noAggregates(String applicationId) {
        Endpoint refuse = Endpoint.sync(call -> Reply.error(404, NO_AGGREGATE_TYPES, "this instance of " + applicationId
                + " runs no aggregate types (--types none): send commands and reads of " + call.path("type")
                + " to a worker that runs it"));
        return List.of(
                Route.get("/aggregates/{type}/{id}", Need.read("type"), refuse),
                Route.post("/aggregates/{type}/{id}/commands/{command}", Need.send("type"), refuse));
    }

    private static Reply reply(ProjectionEndpoint.Answer answer) {
        return Reply.of(answer.status(), answer.body());
    }

    /** An observability endpoint's answer as the HTTP API writes it: JSON through Jackson, the metrics' text as it is. */
    private static Reply reply(ObservabilityEndpoints.Answer answer) {
        return answer.json() ? Reply.of(answer.status(), answer.body())
                : Reply.text(answer.status(), answer.contentType(), (String) answer.body());
    }
}
