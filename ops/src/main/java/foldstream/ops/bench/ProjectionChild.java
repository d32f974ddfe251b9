package foldstream.ops.bench;

import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.projection.runtime.ProjectionHost;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The JVM the benchmark starts for a projection runner under test: the example account projection
 * of the benchmark's stream, embedded ({@code account-summaries}, Kafka Streams under
 * {@code exactly_once_v2}) or JDBC ({@code account-balances} into the given database), run by the
 * {@link ProjectionHost} a worker runs its projections with. It runs until SIGTERM, then closes.
 *
 * <pre>{@code
 * java -cp ... foldstream.ops.bench.ProjectionChild embedded|jdbc BOOTSTRAP REGISTRY STREAM APP_ID STATE_DIR [JDBC_URL]
 * }</pre>
 */
public final class ProjectionChild {

    /** Which runner. */
    enum Kind { EMBEDDED, JDBC }

    private ProjectionChild() {
    }

    static List<String> args(Kind kind, String bootstrap, String registry, String stream, String appId, String stateDir,
                             Optional<String> jdbcUrl) {
        List<String> args = new java.util.ArrayList<>(List.of(kind.name(), bootstrap, registry, stream, appId, stateDir));
        jdbcUrl.ifPresent(args::add);
        return args;
    }

    /** The projection measured, following {@code stream}. */
    static Projection projection(Kind kind, String stream) {
        return kind == Kind.EMBEDDED ? ExampleProjections.accountSummaries(stream) : ExampleProjections.accountBalances(stream);
    }

    public static void main(String[] args) throws Exception {
        Kind kind = Kind.valueOf(args[0]);
        String bootstrap = args[1];
        String registryUrl = args[2];
        String stream = args[3];
        String appId = args[4];
        Optional<String> jdbcUrl = args.length > 6 ? Optional.of(args[6]) : Optional.empty();
        // As a worker configures its projections: the worker's Kafka Streams defaults, one stream thread.
        Map<String, Object> streams = new HashMap<>(StreamsSettings.defaults(appId, bootstrap));
        streams.put(StreamsConfig.STATE_DIR_CONFIG, args[5]);
        streams.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        CountDownLatch stopped = new CountDownLatch(1);
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(registryUrl))) {
            ProjectionRuntime runtime = new ProjectionRuntime(appId, streams, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new AvroWireCodec(registry, false), List.of(BenchChild.accounts(stream, foldstream.worker.aggregate.StorageMode.EVENTS_ONLY)),
                    EventUpcaster.NONE, new HostInfo("127.0.0.1", 1));
            ProjectionHost host = ProjectionHost.start(List.of(projection(kind, stream)), runtime, jdbcUrl, JdbcPositions.DEFAULT_TABLE);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                host.close(Duration.ofSeconds(30));
                stopped.countDown();
            }));
            stopped.await();
        }
    }
}
