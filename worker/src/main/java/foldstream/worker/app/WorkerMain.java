package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.examples.ExampleProcesses;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.process.ProcessType;
import foldstream.worker.projection.Projection;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.topics.KafkaUnreachableException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The runnable worker: reads its settings from flags and environment variables, runs a
 * {@link FoldstreamWorker} until SIGTERM or Ctrl-C, then closes it cleanly. Runs on the worker's
 * classpath alone:
 *
 * <pre>{@code
 * java -cp <worker classpath> foldstream.worker.app.WorkerMain \
 *     --bootstrap-servers 127.0.0.1:9092 --schema-registry-url http://127.0.0.1:8081 --types ex_users
 * }</pre>
 *
 * <p>Exit status: 0 stopped cleanly (also on SIGTERM or Ctrl-C), 1 failed while running (topics
 * refused, registry unreachable, ...), 2 bad settings (the message names the setting), 3 no Kafka
 * broker answered within {@code --broker-wait}.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "foldstream worker 0.1.0-SNAPSHOT",
        description = {
            "Runs a Foldstream worker: decides the commands of its aggregate types until SIGTERM or Ctrl-C.",
            "Each option can also be set by its environment variable; the option wins."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:stopped cleanly, also on SIGTERM or Ctrl-C",
            "1:failed while running (topics refused, registry unreachable, a Kafka ACL missing, ...)",
            "2:bad settings (the message names the setting)",
            "3:no Kafka broker answered within --broker-wait"})
public final class WorkerMain implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_BAD_SETTINGS = 2;
    /** No Kafka broker answered within {@code --broker-wait}: an orchestrator may restart the worker later. */
    public static final int EXIT_BROKER_UNREACHABLE = 3;

    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_GRACE = CLOSE_TIMEOUT.plusSeconds(10);
    private static final Duration HEALTH_CHECK_EVERY = Duration.ofSeconds(1);

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to (required). Env: FOLDSTREAM_BOOTSTRAP_SERVERS")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Confluent-compatible schema registry (required). Env: FOLDSTREAM_SCHEMA_REGISTRY_URL")
    String schemaRegistryUrl;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams application id; instances with the same id share the work (default: "
                    + WorkerSettings.DEFAULT_APPLICATION_ID + "). Env: FOLDSTREAM_APPLICATION_ID")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where RocksDB keeps snapshots (default: <tmpdir>/kafka-streams). Env: FOLDSTREAM_STATE_DIR")
    String stateDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "Stream threads (default: 1). Env: FOLDSTREAM_THREADS")
    String threads;

    @Option(names = "--types", paramLabel = "NAME[,...]",
            description = "Aggregate types to run (default: all registered; none: only process managers and projections). Env: FOLDSTREAM_TYPES")
    String types;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the topics the worker creates (default: 6). Env: FOLDSTREAM_PARTITIONS")
    String partitions;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the HTTP endpoint (default: 8080). Env: FOLDSTREAM_HTTP_PORT")
    String httpPort;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replicas of created and internal topics (default: min(3, brokers)). Env: FOLDSTREAM_REPLICATION_FACTOR")
    String replicationFactor;

    @Option(names = "--stall-timeout", paramLabel = "DURATION",
            description = "A partition with commands waiting that decides nothing this long fails /health, e.g. 500ms, 30s, 2m"
                    + " (default: 60s). Env: FOLDSTREAM_STALL_TIMEOUT")
    String stallTimeout;

    @Option(names = "--unreachable-timeout", paramLabel = "DURATION",
            description = "The broker or the schema registry not answering this long fails /health (default: 60s)."
                    + " Env: FOLDSTREAM_UNREACHABLE_TIMEOUT")
    String unreachableTimeout;

    @Option(names = "--processes", paramLabel = "NAME[,...]|none",
            description = "Process managers to run (default: every registered one whose aggregate types this worker runs). Env: FOLDSTREAM_PROCESSES")
    String processes;

    @Option(names = "--process-retention", paramLabel = "DURATION",
            description = "How long finished process instances are kept, ISO-8601 (default: P7D). Env: FOLDSTREAM_PROCESS_RETENTION")
    String processRetention;

    @Option(names = "--projections", paramLabel = "NAME[,...]|none",
            description = "Projections to run (default: those whose aggregate types this worker runs). Env: FOLDSTREAM_PROJECTIONS")
    String projections;

    @Option(names = "--projection-jdbc-url", paramLabel = "JDBC_URL",
            description = "Database of the JDBC projections (default: none, they do not run). Env: FOLDSTREAM_PROJECTION_JDBC_URL")
    String projectionJdbcUrl;

    @Option(names = "--projection-positions-table", paramLabel = "TABLE",
            description = "Table of the JDBC projections' positions (default: foldstream_projection_positions)."
                    + " Env: FOLDSTREAM_PROJECTION_POSITIONS_TABLE")
    String projectionPositionsTable;
    @Option(names = "--broker-wait", paramLabel = "DURATION|forever",
            description = "How long a starting worker waits for a Kafka broker: an ISO-8601 duration, then exit status 3, "
                    + "or 'forever' (default: PT30S). Env: FOLDSTREAM_BROKER_WAIT")
    String brokerWait;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log lines as text, or as one JSON object each for log shippers (default: text). Env: FOLDSTREAM_LOG_FORMAT")
    String logFormat;

    @Mixin
    HttpOptions http = new HttpOptions();

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "A Kafka or Kafka Streams property, passed through (repeatable)")
    List<String> properties = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final RegistryClientFactory registryClients;
    private final List<AggregateType<?>> registered;
    private final List<ProcessType<?>> registeredProcesses;
    private final List<Projection> registeredProjections;

    /**
     * @param env the environment variables (System.getenv() in production)
     * @param registryClients makes the registry client for {@code --schema-registry-url}
     * @param registered the aggregate types this program knows; {@code --types} picks among them
     */
    public WorkerMain(Map<String, String> env, RegistryClientFactory registryClients, List<? extends AggregateType<?>> registered) {
        this(env, registryClients, registered, List.of(), List.of());
    }

    /**
     * @param projections the projections this program knows; {@code --projections} picks among them
     * @param processes the process managers this program knows; {@code --processes} picks among them
     */
    public WorkerMain(Map<String, String> env, RegistryClientFactory registryClients, List<? extends AggregateType<?>> registered,
                      List<? extends Projection> projections, List<? extends ProcessType<?>> processes) {
        this.env = Map.copyOf(env);
        this.registryClients = registryClients;
        this.registered = List.copyOf(registered);
        this.registeredProjections = List.copyOf(projections);
        this.registeredProcesses = List.copyOf(processes);
    }

    public static void main(String[] args) {
        LoggingDefaults.apply();
        WorkerMain main = new WorkerMain(System.getenv(), RegistryClientFactory.http(), ExampleTypes.all(), ExampleProjections.all(),
                ExampleProcesses.all());
        System.exit(new CommandLine(main).execute(args));
    }

    /** The projection settings from the flags, falling back to the environment variables; flags win. */
    public ProjectionSettings projectionSettings() {
        return ProjectionSettings.parse(this::text);
    }

    /** The settings from the flags, falling back to the environment variables; flags win. */
    public WorkerSettings settings() {
        return WorkerSettings.parse(this::text, properties);
    }

    /** The observability settings (health timeouts), flags first, then the environment variables. */
    public ObservabilitySettings observabilitySettings() {
        return ObservabilitySettings.parse(this::text);
    }

    /** The HTTP API's settings from the {@code --http-*} flags, falling back to the variables; flags win. */
    public HttpApiSettings httpSettings() {
        return HttpApiSettings.parse(this::text);
    }

    private String text(WorkerSetting setting) {
        String flag = switch (setting) {
            case BOOTSTRAP_SERVERS -> bootstrapServers;
            case SCHEMA_REGISTRY_URL -> schemaRegistryUrl;
            case APPLICATION_ID -> applicationId;
            case STATE_DIR -> stateDir;
            case THREADS -> threads;
            case TYPES -> types;
            case PARTITIONS -> partitions;
            case HTTP_PORT -> httpPort;
            case REPLICATION_FACTOR -> replicationFactor;
            case STALL_TIMEOUT -> stallTimeout;
            case UNREACHABLE_TIMEOUT -> unreachableTimeout;
            case PROCESSES -> processes;
            case PROCESS_RETENTION -> processRetention;
            case PROJECTIONS -> projections;
            case PROJECTION_JDBC_URL -> projectionJdbcUrl;
            case PROJECTION_POSITIONS_TABLE -> projectionPositionsTable;
            case BROKER_WAIT -> brokerWait;
            case LOG_FORMAT -> logFormat;
            case PROPERTY -> null;
            default -> http.text(setting);
        };
        return flag != null || setting.envVar() == null ? flag : env.get(setting.envVar());
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        WorkerSettings settings;
        ObservabilitySettings observe;
        HttpApiSettings httpSettings;
        ProcessSettings processSettings;
        List<ProcessType<?>> running;
        BrokerWait wait;
        try {
            settings = settings();
            httpSettings = httpSettings();
            HttpEndpoint.of(settings, httpSettings);
            processSettings = ProcessSettings.parse(this::text);
            observe = observabilitySettings();
            wait = BrokerWait.parse(text(WorkerSetting.BROKER_WAIT));
            if (settings.schemaRegistryUrl().isEmpty()) {
                throw new InvalidSettingException(WorkerSetting.SCHEMA_REGISTRY_URL,
                        "missing: say where the schema registry is, for example http://127.0.0.1:8081");
            }
            running = processSettings.select(registeredProcesses, settings.select(registered));
            projectionSettings().select(registeredProjections, settings.select(registered));
        } catch (InvalidSettingException e) {
            err.println("foldstream worker: " + e.getMessage());
            err.flush();
            return EXIT_BAD_SETTINGS;
        }
        LoggingDefaults.select(observe.logFormat());
        int status = EXIT_FAILED;
        try (ShutdownSignal signal = ShutdownSignal.install(SIGNAL_GRACE)) {
            try {
                status = run(settings, httpSettings, running, processSettings, observe, wait, signal);
            } catch (InvalidSettingException e) {
                err.println("foldstream worker: " + e.getMessage());
                status = EXIT_BAD_SETTINGS;
            } catch (KafkaUnreachableException e) {
                err.println("foldstream worker: " + e.getMessage());
                status = EXIT_BROKER_UNREACHABLE;
            } catch (RuntimeException e) {
                err.println("foldstream worker: " + e.getMessage());
                status = EXIT_FAILED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("foldstream worker: interrupted");
                status = EXIT_FAILED;
            } finally {
                err.flush();
                signal.finished(status);
            }
        }
        return status;
    }

    private int run(WorkerSettings settings, HttpApiSettings httpSettings, List<ProcessType<?>> processes,
                    ProcessSettings processSettings, ObservabilitySettings observe, BrokerWait wait, ShutdownSignal signal)
            throws InterruptedException {
        try (SchemaRegistryClient registry = registryClient(settings)) {
            // Checks the settings (a bad one exits with 2 at once), then waits for Kafka, then starts.
            FoldstreamWorker worker = new FoldstreamWorker(settings, httpSettings, registered,
                    new FoldstreamWorker.Parts(registeredProjections, projectionSettings(), processes, processSettings.options()),
                    registry, ProcessingOptions.DEFAULTS, Clock.systemUTC(), observe.health());
            if (!wait.await(settings, signal)) {
                return EXIT_OK;
            }
            try {
                worker.start();
                while (!signal.awaitRequest(HEALTH_CHECK_EVERY)) {
                    KafkaStreams.State state = worker.state();
                    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING || worker.processStopped()) {
                        throw new IllegalStateException(worker.failure().map(KafkaAuthorizationFailure::message)
                                .orElse("Kafka Streams stopped (" + state + "); see the log above"));
                    }
                }
            } catch (RuntimeException | InterruptedException e) {
                worker.close(CLOSE_TIMEOUT);
                throw e;
            }
            return worker.close(CLOSE_TIMEOUT) ? EXIT_OK : EXIT_FAILED;
        }
    }

    /** The registry client, with the registry settings among the properties ({@code basic.auth.*}, {@code schema.registry.ssl.*}, ...). */
    private SchemaRegistryClient registryClient(WorkerSettings settings) {
        try {
            return registryClients.connect(settings.schemaRegistryUrl().orElseThrow(), settings.properties());
        } catch (org.apache.kafka.common.config.ConfigException | IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.PROPERTY, e.getMessage());
        }
    }
}
