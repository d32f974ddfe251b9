package foldstream.ops.cli;

import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.LocalStack;
import foldstream.ops.stack.PortInUseException;
import foldstream.ops.stack.SecureStack;
import foldstream.worker.app.ShutdownSignal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream stack}: a single-node Kafka (KRaft) on 127.0.0.1 and the schema registry, until
 * Ctrl-C or SIGTERM.
 *
 * <pre>{@code
 * foldstream stack --fresh            # Kafka on 127.0.0.1:9092, data in ~/.foldstream/stack
 * }</pre>
 */
@Command(name = "stack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the local stack until Ctrl-C or SIGTERM: a single-node Kafka (KRaft, broker and controller)"
                    + " on 127.0.0.1 and the schema registry. Data survives restarts unless --fresh."})
final class StackCommand implements Callable<Integer> {

    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Kafka's client port (default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "The KRaft controller's port (default: ${DEFAULT-VALUE})")
    int controllerPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
            description = "The schema registry's port (default: ${DEFAULT-VALUE})")
    int registryPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the stack keeps its data (default: ~/.foldstream/stack)")
    Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory first")
    boolean fresh;

    @Option(names = "--secure", description = {"Kafka on SASL_SSL (SCRAM-SHA-512) with ACLs and the registry on HTTPS with users;"
            + " prints the client settings to use (passwords in <data>/secure/secrets.properties)"})
    boolean secure;

    @Spec
    CommandSpec spec;

    private final RegistryWiring registry;

    StackCommand(RegistryWiring registry) {
        this.registry = registry;
    }

    static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".foldstream", "stack");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path data = dataDir == null ? defaultDataDir() : dataDir;
        KafkaBroker.Settings brokerSettings;
        try {
            for (Map.Entry<String, Integer> port : Map.of("--kafka-port", kafkaPort, "--controller-port", controllerPort,
                    "--registry-port", registryPort).entrySet()) {
                if (port.getValue() < 1 || port.getValue() > 65_535) {
                    throw new IllegalArgumentException(port.getKey() + ": must be a port from 1 to 65535, was " + port.getValue());
                }
            }
            brokerSettings = new KafkaBroker.Settings("127.0.0.1", kafkaPort, controllerPort, data, Map.of());
            if (fresh) {
                DataDirs.wipe(data);
            }
        } catch (IllegalArgumentException e) {
            err.println("foldstream stack: " + e.getMessage());
            return 2;
        }
        int status = 1;
        try (ShutdownSignal signal = ShutdownSignal.install(STOP_GRACE)) {
            try {
                LocalStack stack;
                List<String> clientProperties = new ArrayList<>();
                if (secure) {
                    SecureStack security = SecureStack.prepare(data);
                    AtomicReference<KafkaBroker> started = new AtomicReference<>();
                    stack = new LocalStack(brokerSettings.withSecurity(security.brokerSecurity()),
                            registry.process(registryPort, settings -> security.registry(settings, started.get())), broker -> {
                                started.set(broker);
                                security.grant(broker);
                                clientProperties.addAll(security.workerProperties(broker));
                            });
                } else {
                    stack = new LocalStack(brokerSettings, registry.process(registryPort));
                }
                status = run(stack, data, signal, out, clientProperties);
            } catch (PortInUseException e) {
                err.println("foldstream stack: " + e.getMessage() + " (" + (e.port() == kafkaPort ? "--kafka-port" : "--controller-port") + ")");
            } catch (Exception e) {
                err.println("foldstream stack: " + e.getMessage());
            } finally {
                err.flush();
                signal.finished(status);
            }
        }
        return status;
    }

    private static int run(LocalStack stack, Path data, ShutdownSignal signal, PrintWriter out, List<String> clientProperties)
            throws Exception {
        try (stack) {
            stack.start();
            out.println("Foldstream stack is up.");
            out.println("  Kafka:            " + stack.bootstrapServers() + " (controller 127.0.0.1:" + stack.broker().controllerPort() + ")"
                    + (clientProperties.isEmpty() ? "" : ", SASL_SSL with ACLs"));
            out.println("  Schema registry:  " + stack.registryUrl().orElse(stack.registryDescription()));
            out.println("  Data:             " + data);
            if (!clientProperties.isEmpty()) {
                out.println("A worker (application id " + SecureStack.APPLICATION_ID + ", user " + SecureStack.WORKER
                        + ") and send/tail connect with:");
                out.println("  ops/foldstream worker --bootstrap-servers " + stack.bootstrapServers() + " --schema-registry-url "
                        + stack.registryUrl().orElse("") + " \\");
                for (int i = 0; i < clientProperties.size(); i++) {
                    out.println("      --property '" + clientProperties.get(i) + "'" + (i + 1 < clientProperties.size() ? " \\" : ""));
                }
                out.println("  Passwords: " + data.resolve("secure").resolve("secrets.properties"));
            }
            out.println("Ctrl-C or SIGTERM stops it.");
            out.flush();
            signal.awaitRequest();
            out.println("Stopping the stack...");
            out.flush();
        }
        out.println("Stack stopped.");
        out.flush();
        return 0;
    }

    /** Wiping only what looks like a stack's data, never an arbitrary directory given by mistake. */
    static final class DataDirs {
        private DataDirs() {
        }

        static void wipe(Path dir) {
            if (!Files.exists(dir)) {
                return;
            }
            try (var entries = Files.list(dir)) {
                boolean looksLikeStack = Files.isDirectory(dir.resolve("kafka-logs"));
                boolean empty = entries.findAny().isEmpty();
                if (!looksLikeStack && !empty) {
                    throw new IllegalArgumentException("--fresh: refusing to wipe " + dir
                            + ": it does not look like a Foldstream stack's data (no kafka-logs inside)");
                }
                try (var all = Files.walk(dir)) {
                    for (Path path : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--fresh: cannot wipe " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
