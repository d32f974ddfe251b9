package foldstream.ops.cli;

import foldstream.ops.demo.CommandSender;
import foldstream.ops.demo.DemoScript;
import foldstream.ops.demo.ScriptedCommand;
import foldstream.ops.demo.TopicTail;
import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.LocalStack;
import foldstream.protocol.CommandResult;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.examples.ExampleProcesses;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.app.HttpApiSettings;
import foldstream.worker.app.ProjectionSettings;
import foldstream.worker.app.ShutdownSignal;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.topics.EnsuredTopics;
import foldstream.worker.topics.TopicAdmin;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream demo}: the local stack on free ports, one worker running the example types,
 * and a scripted series of commands covering every outcome; prints each result and each event
 * with its headers as they land, then runs until Ctrl-C.
 *
 * <pre>{@code
 * foldstream demo               # runs until Ctrl-C
 * foldstream demo --then-exit   # stops after the script; exit status 0 when every outcome was as expected
 * }</pre>
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the demo: a local stack (Kafka on free ports unless --kafka-port), one worker with the example"
                    + " types ex_users, ex_accounts, ex_counters and ex_transfers and the transfer process, and a scripted"
                    + " series of commands: accepted ones, each kind of refusal and a transfer that fails and is refunded."
                    + " Prints every result and event as it lands, then runs until Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "0",
            description = "Kafka's client port (default: a free port)")
    int kafkaPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "0",
            description = "The schema registry's port (default: a free port)")
    int registryPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the demo's data here (default: a temporary directory, deleted at the end)")
    Path dataDir;

    @Option(names = "--then-exit", description = "Stop after the script instead of waiting for Ctrl-C")
    boolean thenExit;

    @Spec
    CommandSpec spec;

    private final RegistryWiring registry;
    private final List<AggregateType<?>> types;

    DemoCommand(RegistryWiring registry, List<? extends AggregateType<?>> types) {
        this.registry = registry;
        this.types = List.copyOf(types);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (Map.Entry<String, Integer> port : Map.of("--kafka-port", kafkaPort, "--registry-port", registryPort).entrySet()) {
            if (port.getValue() < 0 || port.getValue() > 65_535) {
                err.println("foldstream demo: " + port.getKey() + ": must be a port from 0 (free) to 65535, was " + port.getValue());
                return 2;
            }
        }
        boolean temporary = dataDir == null;
        Path data = temporary ? Files.createTempDirectory("foldstream-demo") : dataDir;
        int status = 1;
        try (ShutdownSignal signal = ShutdownSignal.install(STOP_GRACE)) {
            try {
                status = run(data, signal, out);
            } catch (Exception e) {
                err.println("foldstream demo: " + e.getMessage());
            } finally {
                if (temporary) {
                    delete(data);
                }
                err.flush();
                signal.finished(status);
            }
        }
        return status;
    }

    private int run(Path data, ShutdownSignal signal, PrintWriter out) throws Exception {
        KafkaBroker.Settings broker = new KafkaBroker.Settings("127.0.0.1", kafkaPort, 0, data.resolve("kafka"), Map.of());
        try (LocalStack stack = new LocalStack(broker, registry.process(registryPort))) {
            stack.start();
            out.println("== Foldstream demo");
            out.println("Kafka:            " + stack.bootstrapServers());
            Optional<String> url = stack.registryUrl();
            try (SchemaRegistryClient client = registry.clients().connect(url.orElseThrow(() ->
                    new IllegalStateException("the demo needs a schema registry: " + stack.registryDescription())))) {
                out.println("Schema registry:  " + url.get());
                out.println("Data:             " + data + (dataDir == null ? " (temporary)" : ""));
                out.flush();
                return runWorker(stack, client, data, signal, out);
            }
        } finally {
            out.println("== Demo stopped");
            out.flush();
        }
    }

    private int runWorker(LocalStack stack, SchemaRegistryClient registryClient, Path data, ShutdownSignal signal, PrintWriter out)
            throws Exception {
        AvroWireCodec codec = new AvroWireCodec(registryClient, true);
        WorkerSettings settings = WorkerSettings.of(stack.bootstrapServers())
                .withApplicationId("foldstream-demo")
                .withStateDir(data.resolve("worker-state"))
                .withPartitions(3);

        out.println();
        out.println("== Topics");
        Map<String, Object> admin = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
        try (TopicAdmin topics = TopicAdmin.connect(admin, Duration.ofSeconds(30))) {
            EnsuredTopics ensured = topics.ensure(types, settings.partitions(), settings.replicationFactor());
            TopicTable.print(out, topics.describe(types), ensured.created());
        }

        out.println();
        out.println("== Worker");
        // The example projections (the embedded ones; account-balances needs a database) and processes too.
        try (FoldstreamWorker worker = new FoldstreamWorker(settings, HttpApiSettings.defaults(), types,
                new FoldstreamWorker.Parts(ExampleProjections.all(), ProjectionSettings.DEFAULTS, ExampleProcesses.all(),
                        ProcessOptions.DEFAULTS), registryClient, ProcessingOptions.DEFAULTS, Clock.systemUTC())) {
            worker.start();
            if (!worker.awaitRunning(WAIT)) {
                throw new IllegalStateException("the worker is not running after " + WAIT.toSeconds() + " s (" + worker.state() + ")");
            }
            out.println("running " + types.stream().map(AggregateType::name).toList() + " as application foldstream-demo");
            out.flush();
            try (TopicTail tail = new TopicTail(stack.bootstrapServers(), types, codec, out);
                 CommandSender sender = new CommandSender(stack.bootstrapServers(), codec)) {
                tail.start();
                int unexpected = runScript(tail, sender, signal, out);
                if (!thenExit && !signal.awaitRequest(Duration.ZERO)) {
                    out.println();
                    out.println("The demo keeps running, Kafka at " + stack.bootstrapServers() + (stack.registryUrl().isPresent()
                            ? "; commands sent to ex_users-commands, ex_accounts-commands or ex_counters-commands print here" : "")
                            + ". Ctrl-C stops it.");
                    out.flush();
                    signal.awaitRequest();
                }
                out.println();
                out.println("== Stopping");
                out.flush();
                return unexpected == 0 ? 0 : 1;
            }
        }
    }

    /** Sends each step, waits for its result and events; returns how many outcomes were not the expected ones. */
    private int runScript(TopicTail tail, CommandSender sender, ShutdownSignal signal, PrintWriter out) throws Exception {
        List<ScriptedCommand> steps = DemoScript.steps(UUID.randomUUID().toString().substring(0, 4));
        Map<String, Integer> sent = new HashMap<>();
        int unexpected = 0;
        int number = 0;
        for (ScriptedCommand step : steps) {
            if (signal.awaitRequest(Duration.ZERO)) {
                break;
            }
            number++;
            out.println();
            out.println("-> " + number + ". " + step.title());
            out.println("   " + step.topic() + "  key " + step.aggregateId() + "  command-id=" + step.commandId()
                    + step.expectedVersion().stream().mapToObj(v -> "  expected-version=" + v).findFirst().orElse("")
                    + "  value " + (step.payload() instanceof ScriptedCommand.Avro avro
                            ? avro.record().getSchema().getName() + " " + avro.record() : "(raw bytes)"));
            out.flush();
            sender.send(step);
            int occurrence = sent.merge(step.commandId(), 1, Integer::sum);
            CommandResult result = tail.awaitResult(step.commandId(), occurrence, WAIT);
            tail.awaitEvents(step.commandId(), eventsSoFar(steps, step), WAIT);
            if (result.getOutcome() != step.expected()) {
                unexpected++;
                out.println("   !! expected " + step.expected() + ", got " + result.getOutcome());
            }
            out.flush();
        }
        out.println();
        out.println(unexpected == 0
                ? "All " + number + " commands got the expected outcome."
                : unexpected + " of " + number + " commands did NOT get the expected outcome (marked !! above).");
        out.flush();
        return unexpected;
    }

    /** The events a command id has caused once this step is done: a retried id adds none. */
    private static int eventsSoFar(List<ScriptedCommand> steps, ScriptedCommand upTo) {
        int count = 0;
        for (ScriptedCommand step : steps) {
            if (step.commandId().equals(upTo.commandId())) {
                count += step.newEvents();
            }
            if (step == upTo) {
                break;
            }
        }
        return count;
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A temporary directory left behind is harmless; say so rather than fail the demo.
            System.err.println("foldstream demo: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
