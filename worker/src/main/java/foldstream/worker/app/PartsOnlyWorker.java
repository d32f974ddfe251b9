package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.http.ApiServer;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.http.RouteTable;
import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.observe.WorkerObservability;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.runtime.ProjectionEndpoint;
import foldstream.worker.projection.runtime.ProjectionHost;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What a worker of no aggregate types ({@code --types none}) runs: its process managers and projections,
 * each a Kafka Streams application (or consumer) of its own, and an HTTP API of their routes (the
 * probes, {@code /metrics}, {@code /processes/...}, {@code /projections/...}); the aggregate routes
 * answer 404 {@code NO_AGGREGATE_TYPES}. Kafka Streams refuses an application without input topics, so
 * such a worker has no aggregates' application at all; {@link FoldstreamWorker} hands its start here.
 *
 * <pre>{@code
 * PartsOnlyWorker parts = PartsOnlyWorker.start(new PartsOnlyWorker.Parts(processes, processOptions, projections,
 *         projectionSettings), registered, config, applicationId, codec, clock, endpoint, httpSettings, observability);
 * parts.state();   // RUNNING once every application runs
 * }</pre>
 */
final class PartsOnlyWorker implements AutoCloseable {

    /** The process managers and projections to run. */
    record Parts(List<ProcessType<?>> processes, ProcessOptions processOptions, List<Projection> projections,
                 ProjectionSettings projectionSettings) {
    }

    private final ProcessApplications processes;
    private final ProjectionHost projections;
    private final ProjectionEndpoint projectionView;
    private final ApiServer http;

    private PartsOnlyWorker(ProcessApplications processes, ProjectionHost projections, ProjectionEndpoint projectionView, ApiServer http) {
        this.processes = processes;
        this.projections = projections;
        this.projectionView = projectionView;
        this.http = http;
    }

    /**
     * Starts the applications and the HTTP API; on failure closes what it started.
     *
     * @param registered the registered aggregate types: the processes and projections read and command them
     * @param config the worker's Kafka Streams configuration (each application replaces the application id)
     */
    static PartsOnlyWorker start(Parts parts, List<AggregateType<?>> registered, Map<String, Object> config, String applicationId,
                                 AvroWireCodec codec, Clock clock, HttpEndpoint endpoint, HttpApiSettings httpSettings,
                                 WorkerObservability observability) {
        ProcessApplications processes = new ProcessApplications(parts.processes(), registered, config, applicationId, codec,
                parts.processOptions(), clock);
        ProjectionHost projections = ProjectionHost.empty();
        ProjectionEndpoint projectionView = null;
        try {
            projections = ProjectionHost.start(parts.projections(), new ProjectionRuntime(applicationId, config,
                    FoldstreamWorker.clientSettings(config), codec, registered, EventUpcaster.NONE, endpoint.hostInfo()),
                    parts.projectionSettings().jdbcUrl(), parts.projectionSettings().positionsTable());
            OwnerForwarding forwarding = new OwnerForwarding(httpSettings.tls(), httpSettings.forwardToken(),
                    httpSettings.limits().requestTimeout());
            ProcessStatusEndpoint processView = new ProcessStatusEndpoint(parts.processes(), processes.streams(), codec,
                    endpoint.hostInfo(), forwarding);
            projectionView = new ProjectionEndpoint(projections, forwarding);
            ApiServer http = new ApiServer(endpoint.bindHost(), endpoint.port(), httpSettings.limits(), httpSettings.tls(),
                    httpSettings.access(), httpSettings.probesOpen(), RouteTable.builder()
                    .addAll(WorkerRoutes.parts(observability, processView, projectionView))
                    .addAll(WorkerRoutes.noAggregates(applicationId)).build()).start();
            ProjectionHost started = projections;
            started.registerMeters(observability.registry());
            observability.health().alsoWatching(() -> views(processes, started), false);
            observability.watch(null, new StreamsConfig(config).getAdminConfigs("foldstream-watch"), applicationId, List.of(),
                    codec);
            processes.start();
            return new PartsOnlyWorker(processes, projections, projectionView, http);
        } catch (RuntimeException e) {
            if (projectionView != null) {
                projectionView.close();
            }
            projections.close(Duration.ZERO);
            processes.close(Duration.ZERO);
            throw endpoint.startFailure(e);
        }
    }

    /** Every Kafka Streams application of the worker besides the aggregates': processes, then embedded projections. */
    static List<StreamsApplicationWatch.View> views(ProcessApplications processes, ProjectionHost projections) {
        List<StreamsApplicationWatch.View> all = new ArrayList<>(processes.views());
        all.addAll(projections.views());
        return all;
    }

    /** The applications' states taken as one ({@link StreamsApplicationWatch#combined}). */
    KafkaStreams.State state() {
        return StreamsApplicationWatch.combined(views(processes, projections).stream().map(StreamsApplicationWatch.View::state).toList());
    }

    boolean processStopped() {
        return processes.anyStopped();
    }

    int port() {
        return http.port();
    }

    String scheme() {
        return http.tls() ? "https" : "http";
    }

    ProjectionHost projections() {
        return projections;
    }

    boolean close(Duration timeout) {
        http.close();
        projectionView.close();
        boolean processesClean = processes.close(timeout);
        return processesClean & projections.close(timeout);
    }

    @Override
    public void close() {
        close(FoldstreamWorker.DEFAULT_CLOSE_TIMEOUT);
    }
}
