package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.observe.HealthSettings;
import foldstream.worker.observe.WorkerObservability;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.runtime.ProjectionEndpoint;
import foldstream.worker.projection.runtime.ProjectionHost;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.query.AggregateQueries;
import foldstream.worker.runtime.AbandonedTransactions;
import foldstream.worker.runtime.FoldstreamTopology;
import foldstream.worker.runtime.KafkaEventLog;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.runtime.ProducerBatching;
import foldstream.worker.runtime.RebuildBoard;
import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.runtime.SkippedCommands;
import foldstream.worker.runtime.StateDirectoryCluster;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.RegistryHealth;
import foldstream.worker.serialization.RegistryWait;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.WireFormatConfig;
import foldstream.worker.topics.EnsuredTopics;
import foldstream.worker.topics.TopicAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker instance: it creates or checks the topics of its aggregate types, builds the
 * topology and runs it in Kafka Streams. Instances with the same application id share the
 * partitions between them.
 *
 * <pre>{@code
 * try (FoldstreamWorker worker = new FoldstreamWorker(settings, ExampleTypes.all(), registry)) {
 *     worker.start();
 *     if (!worker.awaitRunning(Duration.ofSeconds(60))) { ... still starting ... }
 *     ...
 * }   // close(): leaves the group, so other instances take over the partitions at once
 * }</pre>
 *
 * <p>A stream thread that dies (the registry or the broker is away, say) is logged and replaced,
 * so an outage stalls processing but never ends the worker; its uncommitted work is redone. A missing
 * Kafka ACL or refused credentials end the worker instead ({@link #failure()} says which).
 */
public final class FoldstreamWorker implements AutoCloseable {

    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    // A start that failed halfway: long enough to leave the group, short enough not to hold up the exit.
    private static final Duration ABANDON_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(FoldstreamWorker.class);
    // Kafka's Admin client default for request.timeout.ms.
    private static final long ADMIN_REQUEST_TIMEOUT_MS = 30_000;
    private static final Set<KafkaStreams.State> STOPPED = EnumSet.of(
            KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING,
            KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR);

    private final WorkerSettings settings;
    private final HttpApiSettings httpSettings;
    private final List<AggregateType<?>> types;
    private final List<AggregateType<?>> registered;
    private final AvroWireCodec codec;
    private final ProcessingOptions options;
    private final Clock clock;
    private final Map<String, Object> streamsConfig;
    private final Duration brokerTimeout;
    private final WorkerObservability observability;
    private volatile AbandonedTransactions abandonedTransactions;
    private final List<Projection> projections;
    private final ProjectionSettings projectionSettings;
    private final boolean autoRegister;
    private volatile KafkaAuthorizationFailure fatal;
    private final List<ProcessType<?>> processes;
    private final ProcessOptions processOptions;
    private ProcessApplications processApps;
    // Set instead of the aggregates' application when the worker runs no aggregate types (--types none).
    private volatile PartsOnlyWorker partsOnly;

    private final Object lifecycle = new Object();
    private final Object stateChanged = new Object();
    private volatile KafkaStreams streams;
    private CommandGateway gateway;
    private WorkerHttpServer http;
    private ProjectionHost projectionHost = ProjectionHost.empty();
    private ProjectionEndpoint projectionView;
    private boolean started;
    private boolean closed;
    // Written by Kafka Streams' state listener, read without touching Streams' own locks.
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private final StartTimeline timeline;

    /** A worker for the types among {@code registered} that the settings select, with default processing options. */
    public FoldstreamWorker(WorkerSettings settings, List<? extends AggregateType<?>> registered, SchemaRegistryClient registry) {
        this(settings, registered, registry, ProcessingOptions.DEFAULTS, Clock.systemUTC());
    }

    /**
     * @param registry the schema registry client; the caller owns it and closes it after the worker
     * @throws InvalidSettingException when the settings name unknown types or carry a bad property
     */
    public FoldstreamWorker(WorkerSettings settings, List<? extends AggregateType<?>> registered, SchemaRegistryClient registry,
                            ProcessingOptions options, Clock clock) {
        this(settings, HttpApiSettings.defaults(), registered, registry, options, clock);
    }

    /** A worker whose HTTP API has its own limits, TLS and credentials ({@link HttpApiSettings}). */
    public FoldstreamWorker(WorkerSettings settings, HttpApiSettings httpSettings, List<? extends AggregateType<?>> registered,
                            SchemaRegistryClient registry, ProcessingOptions options, Clock clock) {
        this(settings, httpSettings, registered, Parts.NONE, registry, options, clock);
    }

    /** A worker that also runs these process managers, with the HTTP API's defaults. */
    public FoldstreamWorker(WorkerSettings settings, List<? extends AggregateType<?>> registered, SchemaRegistryClient registry,
                            ProcessingOptions options, Clock clock, List<? extends ProcessType<?>> processes,
                            ProcessOptions processOptions) {
        this(settings, HttpApiSettings.defaults(), registered,
                new Parts(List.of(), ProjectionSettings.DEFAULTS, processes, processOptions), registry, options, clock);
    }

    /** A worker that also runs the projections among {@code projections} that the projection settings select. */
    public FoldstreamWorker(WorkerSettings settings, List<? extends AggregateType<?>> registered, List<? extends Projection> projections,
                            ProjectionSettings projectionSettings, SchemaRegistryClient registry) {
        this(settings, HttpApiSettings.defaults(), registered,
                new Parts(projections, projectionSettings, List.of(), ProcessOptions.DEFAULTS), registry, ProcessingOptions.DEFAULTS,
                Clock.systemUTC());
    }

    /**
     * What a worker runs besides its aggregate types: projections (each a Kafka Streams application or
     * a consumer of its own) and process managers (each a Kafka Streams application of its own).
     */
    public record Parts(List<? extends Projection> projections, ProjectionSettings projectionSettings,
                        List<? extends ProcessType<?>> processes, ProcessOptions processOptions) {
        /** Aggregate types only. */
        public static final Parts NONE = new Parts(List.of(), ProjectionSettings.DEFAULTS, List.of(), ProcessOptions.DEFAULTS);
    }

    /**
     * The whole worker: its aggregate types, the projections and process managers of {@code parts}
     * (the topics of the process managers' aggregate types are created or checked too), and its HTTP API.
     */
    public FoldstreamWorker(WorkerSettings settings, HttpApiSettings httpSettings, List<? extends AggregateType<?>> registered,
                            Parts parts, SchemaRegistryClient registry, ProcessingOptions options, Clock clock) {
        this(settings, httpSettings, registered, parts, registry, options, clock, HealthSettings.DEFAULTS);
    }

    /** A worker of aggregate types only, with its own health thresholds ({@link HealthSettings}; docs/observability.md). */
    public FoldstreamWorker(WorkerSettings settings, List<? extends AggregateType<?>> registered, SchemaRegistryClient registry,
                            ProcessingOptions options, Clock clock, HealthSettings health) {
        this(settings, HttpApiSettings.defaults(), registered, Parts.NONE, registry, options, clock, health);
    }

    /** The whole worker, with its health thresholds. @param health when the health checks call the worker unhealthy */
    public FoldstreamWorker(WorkerSettings settings, HttpApiSettings httpSettings, List<? extends AggregateType<?>> registered,
                            Parts parts, SchemaRegistryClient registry, ProcessingOptions options, Clock clock,
                            HealthSettings health) {
        this.httpSettings = httpSettings;
        this.processes = List.copyOf(parts.processes());
        this.processOptions = parts.processOptions();
        this.registered = List.copyOf(registered);
        this.settings = settings;
        this.timeline = StartTimeline.ofThisJvm(settings.applicationId());
        this.types = settings.select(registered);
        this.streamsConfig = streamsConfig(settings, types.size());
        this.autoRegister = autoRegister(settings);
        this.codec = new AvroWireCodec(registry, autoRegister,
                new RegistryWait(RegistryWait.budgetWithin(streamsConfig), new RegistryHealth(Clock.systemUTC())));
        this.options = options;
        this.clock = clock;
        this.brokerTimeout = brokerTimeout(settings);
        this.observability = new WorkerObservability(health, this::state);
        this.projections = parts.projectionSettings().select(parts.projections(), types);
        this.projectionSettings = parts.projectionSettings();
        if (types.isEmpty() && processes.isEmpty() && projections.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.TYPES, "the worker runs no aggregate types, process managers or "
                    + "projections: name the process managers (--processes) or projections (--projections) to run");
        }
    }

    /**
     * Creates missing topics and checks existing ones, then starts processing. Returns once Kafka
     * Streams is started; {@link #awaitRunning} waits until partitions are assigned.
     *
     * @throws foldstream.worker.topics.KafkaUnreachableException when no broker answers
     * @throws foldstream.worker.topics.TopicContractException when existing topics would lose events
     */
    public EnsuredTopics start() {
        synchronized (lifecycle) {
            if (closed || started) {
                throw new IllegalStateException(closed ? "the worker is closed" : "the worker is already started");
            }
            started = true;
        }
        try {
            Files.createDirectories(settings.stateDir());
        } catch (IOException e) {
            throw new InvalidSettingException(WorkerSetting.STATE_DIR, "cannot create " + settings.stateDir() + ": " + e);
        }
        timeline.mark("starting");
        if (!types.isEmpty()) {
            // The stores need it only after the checks and the group join: it loads meanwhile.
            NativeStoreLibrary.loadInBackground();
        }
        // Schemas and topics side by side; an incompatible change or an unreachable registry stops the start, saying which.
        AtomicReference<String> clusterId = new AtomicReference<>();
        StartChecks.Passed checks = StartChecks.run(() -> {
            SchemaGate.Report report = new SchemaGate(codec.registry(), autoRegister, codec::remember).open(types);
            timeline.mark("schemas checked");
            return report;
        }, () -> {
            try (TopicAdmin admin = TopicAdmin.connect(new StreamsConfig(streamsConfig).getAdminConfigs("foldstream-topics"), brokerTimeout)) {
                EnsuredTopics ensured = admin.ensure(withProcessTypes(), settings.partitions(), settings.replicationFactor());
                clusterId.set(admin.clusterId());
                timeline.mark("topics checked");
                return ensured;
            }
        });
        LOG.info("worker {}: schemas checked, {} newly registered", settings.applicationId(), checks.schemas().registered().size());
        timeline.mark("schemas and topics checked");
        EnsuredTopics topics = checks.topics();
        Map<String, Object> config = new HashMap<>(streamsConfig);
        // Changelogs hold the snapshots: as many replicas as the topics the worker creates.
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, topics.replicationFactor());
        HttpEndpoint endpoint = HttpEndpoint.of(settings, httpSettings);
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, endpoint.advertised());
        // Each application's local state must come from this cluster (StateDirectoryCluster).
        config.put(StateDirectoryCluster.CLUSTER_ID_CONFIG, clusterId.get());
        if (types.isEmpty()) {
            return startPartsOnly(topics, config, endpoint);
        }
        RebuildBoard rebuilds = observability.rebuilds();
        Topology topology = FoldstreamTopology.build(types, codec, options, clock, new KafkaEventLog(), rebuilds, observability.metrics());
        StateDirectoryCluster.claim(config);
        // A command the last-resort handler skips still gets a result (FAILED), in the same transaction.
        config.put(SkippedCommands.CONFIG, new SkippedCommands(types.stream().map(AggregateType::name).toList(), codec, clock));
        KafkaStreams created = new KafkaStreams(topology, new StreamsConfig(config));
        timeline.mark("Kafka Streams created");
        created.setStateListener((now, before) -> {
            LOG.info("worker {}: {} -> {}", settings.applicationId(), before, now);
            state = now;
            if (now == KafkaStreams.State.RUNNING) {
                timeline.running();
            }
            observability.stateChanged(now);
            synchronized (stateChanged) {
                stateChanged.notifyAll();
            }
        });
        created.setUncaughtExceptionHandler(error -> {
            observability.threadFailed(error);
            KafkaAuthorizationFailure refused = KafkaAuthorizationFailure.of(error, settings.applicationId()).orElse(null);
            if (refused != null) {
                fatal = refused;
                LOG.error("worker {} stops: {}", settings.applicationId(), refused.message(), error);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            if (RegistryWait.causedBy(error)) {
                // A record waits on the registry: one line per replacement, not a trace (RegistryWait logs why).
                LOG.warn("a stream thread of {} waits on the schema registry; replacing it, its record is read again",
                        settings.applicationId());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("a stream thread of {} failed; replacing it, its uncommitted records will be processed again",
                    settings.applicationId(), error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        // Started before the gateway and the HTTP API: the group join, the assignment and the stores'
        // opening run on Kafka Streams' threads meanwhile (docs/performance.md, start-up).
        observability.watch(created, new StreamsConfig(config).getAdminConfigs("foldstream-watch"), settings.applicationId(), types, codec);
        created.start();
        timeline.mark("Kafka Streams started");
        observability.bindJvmMeters();
        ProcessApplications createdProcesses = new ProcessApplications(processes, registered, config, settings.applicationId(), codec,
                processOptions, clock);
        CommandGateway createdGateway = new CommandGateway(clientSettings(config), codec, types.stream().map(AggregateType::name).toList(),
                observability.registry());
        // Each projection is a Kafka Streams application (or a consumer) of its own: see EmbeddedProjectionRunner.
        ProjectionHost createdProjections;
        try {
            createdProjections = ProjectionHost.start(projections, new ProjectionRuntime(settings.applicationId(), config,
                    clientSettings(config), codec, types, EventUpcaster.NONE, endpoint.hostInfo()), projectionSettings.jdbcUrl(),
                    projectionSettings.positionsTable());
        } catch (RuntimeException e) {
            createdGateway.close();
            abandon(created);
            throw e;
        }
        // Queries of processes and projections reach their owners as aggregate reads do: same TLS and credentials.
        OwnerForwarding forwarding = new OwnerForwarding(httpSettings.tls(), httpSettings.forwardToken(),
                httpSettings.limits().requestTimeout());
        ProjectionEndpoint createdProjectionView = null;
        WorkerHttpServer createdHttp;
        try {
            ProcessStatusEndpoint processView = new ProcessStatusEndpoint(processes, createdProcesses.streams(), codec,
                    endpoint.hostInfo(), forwarding);
            createdProjectionView = new ProjectionEndpoint(createdProjections, forwarding);
            ProjectionEndpoint projectionView = createdProjectionView;
            createdHttp = new WorkerHttpServer(endpoint.bindHost(), endpoint.port(), httpSettings, this::state,
                    new AggregateQueries(created, types, codec, endpoint.hostInfo(), rebuilds), createdGateway, types,
                    WorkerRoutes.parts(observability, processView, projectionView)).start();
        } catch (RuntimeException e) {
            if (createdProjectionView != null) {
                createdProjectionView.close();
            }
            createdProjections.close(Duration.ZERO);
            createdGateway.close();
            createdProcesses.close(Duration.ZERO);
            abandon(created);
            throw endpoint.startFailure(e);
        }
        synchronized (lifecycle) {
            if (closed) {
                createdProjectionView.close();
                createdProjections.close();
                createdHttp.close();
                createdGateway.close();
                createdProcesses.close(Duration.ZERO);
                abandon(created);
                throw new IllegalStateException("the worker was closed while starting");
            }
            streams = created;
            gateway = createdGateway;
            http = createdHttp;
            processApps = createdProcesses;
            projectionHost = createdProjections;
            projectionView = createdProjectionView;
        }
        ProjectionHost startedProjections = createdProjections;
        startedProjections.registerMeters(observability.registry());
        observability.health().alsoWatching(() -> PartsOnlyWorker.views(createdProcesses, startedProjections), true);
        timeline.mark("HTTP API and gateway started");
        abandonedTransactions = AbandonedTransactions.start(config);
        createdProcesses.start();
        LOG.info("worker {}: HTTP API on {}://{}:{}{}", settings.applicationId(), createdHttp.scheme(), endpoint.bindHost(),
                createdHttp.port(), HttpEndpoint.credentialsConfigured(httpSettings) ? ", credentials required"
                        : endpoint.bindHost().equals("127.0.0.1") ? " only: no credentials configured (--http-access-file)"
                        : ", OPEN TO ANYONE WHO REACHES IT (--http-insecure)");
        LOG.info("worker {} started: types {}, topics created {}", settings.applicationId(),
                types.stream().map(AggregateType::name).toList(), topics.created());
        return topics;
    }

    /**
     * A started instance whose start failed after it joined the group: it leaves the group, so that
     * other instances take its partitions at once, and its meters and watch stop.
     */
    private void abandon(KafkaStreams started) {
        started.close(CloseOptions.timeout(ABANDON_TIMEOUT).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        observability.close();
    }

    /** The process managers and projections alone, with their HTTP API ({@link PartsOnlyWorker}). */
    private EnsuredTopics startPartsOnly(EnsuredTopics topics, Map<String, Object> config, HttpEndpoint endpoint) {
        observability.bindJvmMeters();
        PartsOnlyWorker created = PartsOnlyWorker.start(new PartsOnlyWorker.Parts(processes, processOptions, projections,
                projectionSettings), registered, config, settings.applicationId(), codec, clock, endpoint, httpSettings, observability);
        synchronized (lifecycle) {
            if (closed) {
                created.close(Duration.ZERO);
                throw new IllegalStateException("the worker was closed while starting");
            }
            partsOnly = created;
            projectionHost = created.projections();
        }
        LOG.info("worker {} started with no aggregate types: processes {}, projections {}, HTTP API on {}://{}:{}",
                settings.applicationId(), processes.stream().map(ProcessType::name).toList(),
                projections.stream().map(Projection::name).toList(), created.scheme(), endpoint.bindHost(), created.port());
        return topics;
    }

    /** Whether a process manager's application stopped for good (the worker's main loop then stops too). */
    public boolean processStopped() {
        ProcessApplications running = processApps;
        PartsOnlyWorker alone = partsOnly;
        return (running != null && running.anyStopped()) || (alone != null && alone.processStopped());
    }

    /** The worker's types and the registered types its processes read or command, for creating topics. */
    private List<AggregateType<?>> withProcessTypes() {
        java.util.Map<String, AggregateType<?>> all = new java.util.LinkedHashMap<>();
        types.forEach(type -> all.put(type.name(), type));
        for (ProcessType<?> process : processes) {
            for (String name : process.aggregateTypes()) {
                registered.stream().filter(type -> type.name().equals(name)).findFirst().ifPresent(type -> all.putIfAbsent(name, type));
            }
        }
        return List.copyOf(all.values());
    }

    /** Kafka Streams' state: {@code CREATED} before {@link #start}, {@code RUNNING} once processing. */
    public KafkaStreams.State state() {
        // Kafka Streams calls its state listener only after it has woken those waiting in close(),
        // so the instance itself is the truth; the listener's copy is for start-up, before it exists.
        KafkaStreams running = streams;
        PartsOnlyWorker alone = partsOnly;
        return alone != null ? alone.state() : running == null ? state : running.state();
    }

    /**
     * Waits until the worker is {@code RUNNING}.
     *
     * @return true when running, false when the timeout passed first (still starting or rebalancing)
     * @throws IllegalStateException when the worker stopped or failed instead
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateChanged) {
            while (true) {
                KafkaStreams.State now = state();
                if (now == KafkaStreams.State.RUNNING) {
                    return true;
                }
                if (STOPPED.contains(now)) {
                    throw new IllegalStateException("the worker is " + now + ", not running" + failure().map(f -> ": " + f.message()).orElse(""));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded: a worker of no aggregate types has no listener that wakes this.
                stateChanged.wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
        }
    }

    /**
     * Kafka Streams wakes {@code close} before it calls the state listener with the last state: wait
     * (briefly) for the listener, so that its log line is written before "closed" and before a JVM
     * exits after closing.
     */
    private void awaitListenerSawTheEnd() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        synchronized (stateChanged) {
            while (state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
                try {
                    stateChanged.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The running Kafka Streams instance, for interactive queries and metadata. */
    public KafkaStreams streams() {
        synchronized (lifecycle) {
            if (streams == null) {
                throw new IllegalStateException(partsOnly != null ? "the worker runs no aggregate types" : "the worker is not started");
            }
            return streams;
        }
    }

    /** The port of the HTTP API (queries, commands, health), once started. */
    public int httpPort() {
        synchronized (lifecycle) {
            if (partsOnly != null) {
                return partsOnly.port();
            }
            if (http == null) {
                throw new IllegalStateException("the worker is not started");
            }
            return http.port();
        }
    }

    /** The worker's meters, health and readiness (what {@code GET /metrics}, {@code /health} and {@code /ready} answer). */
    public WorkerObservability observability() {
        return observability;
    }

    /** The projections this worker runs (JDBC ones only with a JDBC URL), and their queries. */
    public ProjectionHost projections() {
        synchronized (lifecycle) {
            return projectionHost;
        }
    }

    /** Whether reading commands waits on the schema registry, and since when (for health and metrics). */
    public RegistryHealth registryHealth() {
        return codec.registryHealth();
    }

    /** Why the worker stopped by itself, when Kafka refused it a permission it cannot do without. */
    public java.util.Optional<KafkaAuthorizationFailure> failure() {
        return java.util.Optional.ofNullable(fatal);
    }

    /** The aggregate types this worker runs. */
    public List<AggregateType<?>> types() {
        return types;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /**
     * Stops processing, commits what is done and leaves the group, so other instances take over
     * at once.
     *
     * @return true when everything stopped within the timeout
     */
    public boolean close(Duration timeout) {
        KafkaStreams running;
        synchronized (lifecycle) {
            if (closed) {
                return true;
            }
            closed = true;
            running = streams;
        }
        if (partsOnly != null) {
            observability.close();
            return partsOnly.close(timeout);
        }
        if (running == null) {
            return true;
        }
        http.close();
        gateway.close();
        observability.close();
        if (abandonedTransactions != null) {
            abandonedTransactions.close();
        }
        projectionView.close();
        boolean processesClean = processApps.close(timeout);
        boolean projectionsClean = projectionHost.close(timeout);
        boolean clean = processesClean & projectionsClean & running.close(CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (clean) {
            awaitListenerSawTheEnd();
            LOG.info("worker {} closed", settings.applicationId());
        } else {
            LOG.warn("worker {} did not close within {}", settings.applicationId(), timeout);
        }
        return clean;
    }

    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** What the gateway's clients need of the worker's settings: the brokers and the security settings. */
    static Map<String, Object> clientSettings(Map<String, Object> config) {
        Map<String, Object> clients = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) || key.startsWith("security.") || key.startsWith("sasl.")
                    || key.startsWith("ssl.") || key.equals(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG)) {
                clients.put(key, value);
            }
        });
        return clients;
    }

    /** {@code auto.register.schemas} among the properties: off, the start-up gate only checks the registry. */
    private static boolean autoRegister(WorkerSettings settings) {
        try {
            return WireFormatConfig.autoRegister(settings.properties());
        } catch (ConfigException e) {
            throw new InvalidSettingException(WorkerSetting.PROPERTY, e.getMessage());
        }
    }

    /** Foldstream's defaults, the settings, then the pass-through properties; checked by Kafka Streams now, not at start. */
    private static Map<String, Object> streamsConfig(WorkerSettings settings, int typeCount) {
        Map<String, Object> config = StreamsSettings.defaults(settings.applicationId(), settings.bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.threads());
        ProducerBatching.fit(config, settings.properties(), typeCount, settings.partitions());
        StreamsSettings.plainSettingsWin(config, settings.properties());
        config.putAll(settings.properties());
        StreamsSettings.earlyCommitsForLongIntervals(config, settings.properties());
        try {
            new StreamsConfig(config);
        } catch (ConfigException e) {
            throw new InvalidSettingException(WorkerSetting.PROPERTY, e.getMessage());
        }
        return Map.copyOf(config);
    }

    /**
     * How long topic administration waits for the cluster: Kafka's {@code default.api.timeout.ms}
     * when given (Kafka's clients then need {@code request.timeout.ms} no larger), else 30 s.
     */
    private static Duration brokerTimeout(WorkerSettings settings) {
        Long apiTimeout = millis(settings, CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        if (apiTimeout == null) {
            return TopicAdmin.DEFAULT_TIMEOUT;
        }
        Long requestTimeout = millis(settings, CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG);
        long effectiveRequestTimeout = requestTimeout == null ? ADMIN_REQUEST_TIMEOUT_MS : requestTimeout;
        if (apiTimeout < effectiveRequestTimeout) {
            throw new InvalidSettingException(WorkerSetting.PROPERTY, CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG + "="
                    + apiTimeout + " is below request.timeout.ms=" + effectiveRequestTimeout
                    + ", which Kafka's clients refuse; lower request.timeout.ms too");
        }
        return Duration.ofMillis(apiTimeout);
    }

    private static Long millis(WorkerSettings settings, String key) {
        String given = settings.properties().get(key);
        if (given == null) {
            return null;
        }
        try {
            long millis = Long.parseLong(given.trim());
            if (millis >= 1) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(WorkerSetting.PROPERTY, key + "=" + given + " is not a positive number of milliseconds");
    }
}
