package foldstream.ops.cli;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.InconsistentEventsException;
import foldstream.worker.runtime.KafkaEventLog;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream replay TYPE}: rebuilds a type's snapshots from its events, for example after a
 * change to {@code evolve}, while the workers run. It first reads every event and checks that each
 * aggregate's versions run without a gap (refusing, naming the aggregate and version, when one
 * does not), showing progress; then it asks each partition's worker to rebuild, in band, so commands
 * that arrive meanwhile are processed after the rebuild, exactly once.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rebuilds the snapshots of an aggregate type from its events, with the workers running.",
            "Checks the events first (no gaps in any aggregate's versions), then has each partition rebuilt."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:every partition rebuilt", "1:refused (inconsistent events) or failed", "2:bad usage"})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TYPE", description = "The aggregate type (stream name), e.g. ex_accounts")
    String type;

    @Mixin
    ClientOptions client;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "How long the rebuild may take (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    private final Map<String, String> env;
    private final RegistryWiring registry;
    private final List<? extends AggregateType<?>> registered;

    ReplayCommand(Map<String, String> env, RegistryWiring registry, List<? extends AggregateType<?>> registered) {
        this.env = Map.copyOf(env);
        this.registry = registry;
        this.registered = List.copyOf(registered);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<? extends AggregateType<?>> found = registered.stream().filter(t -> t.name().equals(type)).findFirst();
        if (found.isEmpty()) {
            err.println("foldstream replay: no aggregate type " + type + "; known: " + registered.stream().map(AggregateType::name).toList());
            return 2;
        }
        String bootstrap = client.bootstrapServers(env);
        String url = client.schemaRegistryUrl(env);
        try (SchemaRegistryClient registryClient = client.registry(env, registry.clients())) {
            AvroWireCodec codec = new AvroWireCodec(registryClient, true);
            long start = System.nanoTime();
            try {
                long events = check(found.get(), codec, bootstrap, err);
                out.printf(Locale.ROOT, "%s: %,d events checked, no gaps (%.1f s)%n", type, events, seconds(start));
            } catch (InconsistentEventsException e) {
                err.println();
                err.println("foldstream replay: refused, the events of " + type + " are inconsistent: " + e.getMessage());
                err.println("  aggregate: " + e.aggregateId() + ", version found: " + e.version());
                return 1;
            }
            out.flush();
            try (CommandGateway gateway = new CommandGateway(client.kafka(env), codec, List.of(type))) {
                err.println("[replay] asking each partition's worker to rebuild ...");
                List<CommandResult> results = gateway.replay(type, Duration.ofSeconds(timeoutSeconds))
                        .get(timeoutSeconds + 10L, TimeUnit.SECONDS);
                long folded = 0;
                long aggregates = 0;
                boolean ok = true;
                for (CommandResult result : results) {
                    out.println("  " + result.getMessage() + (result.getOutcome() == Outcome.ACCEPTED ? "" : "  (" + result.getOutcome() + ")"));
                    ok &= result.getOutcome() == Outcome.ACCEPTED;
                    folded += result.getOutcome() == Outcome.ACCEPTED ? result.getVersion() : 0;
                    aggregates += result.getEventCount();
                }
                out.printf(Locale.ROOT, "%s: %s: %,d aggregates rebuilt from %,d events on %d partitions in %.1f s%n", type,
                        ok ? "replayed" : "NOT replayed everywhere", aggregates, folded, results.size(), seconds(start));
                return ok ? 0 : 1;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                err.println("foldstream replay: no answer from every partition: " + cause.getMessage()
                        + "; are workers for " + type + " running? Replaying again is safe.");
                return 1;
            }
        }
    }

    /** Folds every partition's events (one partition in memory at a time), with progress. */
    private long check(AggregateType<?> aggregateType, AvroWireCodec codec, String bootstrap, PrintWriter err) {
        String topic = AggregateTopics.of(aggregateType.name()).events();
        Map<String, Object> config = StreamsSettings.defaults("foldstream-replay", bootstrap);
        config.putAll(client.kafka(env)); // security settings given with --property
        List<TopicPartition> partitions = new ArrayList<>();
        long total = 0;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(client.kafka(env),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (PartitionInfo info : probe.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            for (long end : probe.endOffsets(partitions).values()) {
                total += end;
            }
        }
        long[] seen = {0};
        long start = System.nanoTime();
        long all = total;
        for (TopicPartition partition : partitions) {
            EventFold<?> fold = new EventFold<>(aggregateType, codec);
            new KafkaEventLog().read(config, topic, partition.partition(), record -> {
                fold.add(record);
                if (++seen[0] % 10_000 == 0) {
                    double rate = seen[0] / Math.max(0.001, seconds(start));
                    err.printf(Locale.ROOT, "\r[replay] checking events: %,d / %,d (%,.0f/s, about %.0f s left)   ",
                            seen[0], all, rate, Math.max(0, (all - seen[0]) / rate));
                    err.flush();
                }
            });
        }
        err.println();
        return seen[0];
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
