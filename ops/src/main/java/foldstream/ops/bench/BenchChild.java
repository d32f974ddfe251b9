package foldstream.ops.bench;

import foldstream.examples.accounts.AccountState;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The JVM the benchmark starts for the processor under test: a Foldstream worker running
 * {@code ex_accounts} under the benchmark's stream name (or one type per name of a comma-separated
 * list: the many-types part), the bare processor, or the contract's floor ({@link ContractFloorProcessor}). It runs until
 * SIGTERM, then closes cleanly.
 *
 * <pre>{@code
 * java -cp ... foldstream.ops.bench.BenchChild foldstream BOOTSTRAP REGISTRY STREAM MODE APP_ID STATE_DIR [KEY=VALUE ...]
 * }</pre>
 */
public final class BenchChild {

    private BenchChild() {
    }

    static List<String> args(String kind, String bootstrap, String registry, String stream, StorageMode mode, String appId,
                             Path stateDir, Map<String, String> properties) {
        List<String> args = new java.util.ArrayList<>(List.of(kind, bootstrap, registry, stream, mode.name(), appId, stateDir.toString()));
        properties.forEach((key, value) -> args.add(key + "=" + value));
        return args;
    }

    /** The example account aggregate under another stream name and storage mode. */
    static AggregateType<AccountState> accounts(String stream, StorageMode mode) {
        return Accounts.type().withName(stream).withStorageMode(mode);
    }

    /**
     * A benchmarked worker's settings, with the benchmark's properties passed through, except
     * {@code num.stream.threads}: the worker takes its thread count as a setting of its own
     * ({@code --threads}), so a compared {@code num.stream.threads} becomes that one.
     */
    static WorkerSettings workerSettings(String bootstrap, String registryUrl, String appId, Path stateDir,
                                         Map<String, String> properties) {
        Map<String, String> passed = new HashMap<>(properties);
        String threads = passed.remove(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        WorkerSettings settings = WorkerSettings.of(bootstrap).withSchemaRegistryUrl(registryUrl).withApplicationId(appId)
                .withStateDir(stateDir).withProperties(passed).withHttpPort(0);
        return threads == null ? settings : settings.withThreads(Integer.parseInt(threads));
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String bootstrap = args[1];
        String registryUrl = args[2];
        String stream = args[3];
        StorageMode mode = StorageMode.valueOf(args[4]);
        String appId = args[5];
        Path stateDir = Path.of(args[6]);
        Map<String, String> properties = new HashMap<>();
        for (int i = 7; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            properties.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        if (kind.equals("foldstream")) {
            WorkerSettings settings = workerSettings(bootstrap, registryUrl, appId, stateDir, properties);
            try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(registryUrl));
                 FoldstreamWorker worker = new FoldstreamWorker(settings,
                         java.util.Arrays.stream(stream.split(",")).<AggregateType<?>>map(name -> accounts(name, mode)).toList(), registry)) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    worker.close(Duration.ofSeconds(30));
                    stopped.countDown();
                }));
                worker.start();
                stopped.await();
            }
        } else {
            Map<String, Object> config = new HashMap<>(StreamsSettings.defaults(appId, bootstrap));
            config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            StreamsSettings.plainSettingsWin(config, properties);
            config.putAll(properties);
            Topology topology = kind.equals("bare") ? BareProcessor.topology(stream)
                    : ContractFloorProcessor.topology(List.of(stream.split(",")), ContractFloorProcessor.Window.ofKind(kind)
                            .orElseThrow(() -> new IllegalArgumentException("no processor of kind " + kind)));
            KafkaStreams streams = new KafkaStreams(topology, new StreamsConfig(config));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // Leaving the group, as a Foldstream worker does: a takeover by a fresh instance then waits for no session timeout.
                streams.close(CloseOptions.timeout(Duration.ofSeconds(30)).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
                stopped.countDown();
            }));
            streams.start();
            stopped.await();
        }
    }
}
