package foldstream.ops.cli;

import foldstream.ops.demo.TopicTail;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.app.ShutdownSignal;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream tail TYPE events|results}: prints a type's events or results, decoded, with
 * their headers, as they are committed, until Ctrl-C (or {@code --max}, or {@code --timeout}).
 *
 * <pre>{@code
 * foldstream tail ex_accounts events
 * foldstream tail ex_accounts results --from-beginning --max 10 --timeout 30s --json
 * }</pre>
 */
@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Prints the events or results of an aggregate type as they are committed (read_committed), decoded, with their"
                    + " headers, until Ctrl-C. Starts at the end of the topic unless --from-beginning.",
            "Says on stderr when it reads, so a script can wait for that line before it sends."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C, after --max records, or when --timeout passed without --max",
            "1:Kafka or the schema registry unreachable or failing, the topic missing (the message names the address)",
            "2:bad usage: unknown type, a bad option",
            "4:--timeout passed before --max records"})
final class TailCommand implements Callable<Integer> {

    enum Topic { events, results }

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration CHECK_EVERY = Duration.ofMillis(200);

    @Parameters(index = "0", paramLabel = "TYPE", description = "The aggregate type, e.g. ex_accounts")
    String typeName;

    @Parameters(index = "1", paramLabel = "events|results", description = "Which topic of the type")
    Topic topic;

    @Option(names = "--from-beginning", description = "Start at the beginning of the topic rather than its end")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "Stop after N records (default: no limit)")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s (default: until Ctrl-C)")
    Duration timeout;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final RegistryClientFactory registries;
    private final List<AggregateType<?>> known;

    TailCommand(Map<String, String> env, RegistryClientFactory registries, List<? extends AggregateType<?>> known) {
        this.env = Map.copyOf(env);
        this.registries = registries;
        this.known = List.copyOf(known);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return tail(out, err);
        } catch (CliFailure e) {
            err.println("foldstream tail: " + e.getMessage());
            return e.status();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int tail(PrintWriter out, PrintWriter err) throws InterruptedException {
        AggregateType<?> type = ClientOptions.type(known, typeName);
        if (max < 0) {
            throw new CliFailure(ExitStatus.USAGE, "--max must not be negative, was " + max);
        }
        if (timeout != null && timeout.isZero()) {
            throw new CliFailure(ExitStatus.USAGE, "--timeout must be positive");
        }
        ClientOptions.TopicKind kind = topic == Topic.events ? ClientOptions.TopicKind.EVENTS : ClientOptions.TopicKind.RESULTS;
        String topicName = ClientOptions.topicsOf(type, kind).get(0);
        client.requireTopics(env, type, List.of(topicName));
        String registryUrl = client.schemaRegistryUrl(env);
        TopicTail.Options options = new TopicTail.Options(Set.of(topic == Topic.events ? TopicTail.Kind.EVENTS : TopicTail.Kind.RESULTS),
                fromBeginning, client.json, max, false);
        try (SchemaRegistryClient registry = client.registry(env, registries);
             ShutdownSignal signal = ShutdownSignal.install(STOP_GRACE);
             TopicTail tail = new TopicTail(client.kafka(env), List.of(type), new AvroWireCodec(registry, false), out, options)) {
            int status = ExitStatus.FAILED;
            try {
                tail.start();
                err.println("foldstream tail: reading " + topicName + " from the " + (fromBeginning ? "beginning" : "end")
                        + (max > 0 ? ", up to " + max + " records" : "") + (timeout != null ? ", for " + DurationConverter.format(timeout) : "")
                        + "; Ctrl-C stops");
                err.flush();
                status = follow(tail, signal, registryUrl);
                return status;
            } catch (KafkaException e) {
                throw new CliFailure(ExitStatus.FAILED, "Kafka at " + client.bootstrapServers(env) + " failed: " + e.getMessage());
            } finally {
                signal.finished(status);
            }
        }
    }

    /** Until Ctrl-C, --max records, --timeout, or a failure to read. */
    private int follow(TopicTail tail, ShutdownSignal signal, String registryUrl) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Duration slice = left < CHECK_EVERY.toNanos() ? Duration.ofNanos(Math.max(0, left)) : CHECK_EVERY;
            boolean enough = max > 0 ? tail.awaitPrinted(max, slice) : tail.awaitPrinted(Long.MAX_VALUE, slice);
            Optional<RuntimeException> failure = tail.failure();
            if (failure.isPresent()) {
                throw new CliFailure(ExitStatus.FAILED, "stopped reading (Kafka at " + client.bootstrapServers(env)
                        + ", schema registry at " + registryUrl + "): " + failure.get().getMessage());
            }
            if (enough || signal.awaitRequest(Duration.ZERO)) {
                return ExitStatus.OK;
            }
            if (System.nanoTime() >= deadline) {
                return max > 0 ? ExitStatus.TIMEOUT : ExitStatus.OK;
            }
        }
    }

}
