package foldstream.ops.cli;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.WorkerSetting;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.topics.EnsuredTopics;
import foldstream.worker.topics.KafkaUnreachableException;
import foldstream.worker.topics.TopicAdmin;
import foldstream.worker.topics.TopicContractException;
import foldstream.worker.topics.TopicDescription;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream topics create|describe}: the topics of the aggregate types, created with the
 * wire contract's settings or described with what the contract finds wrong.
 *
 * <pre>{@code
 * foldstream topics create --bootstrap-servers 127.0.0.1:9092 --partitions 12 --types ex_users
 * foldstream topics describe --bootstrap-servers 127.0.0.1:9092
 * }</pre>
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Creates or describes the topics of the aggregate types (commands, events, results, dlq, state).")
final class TopicsCommand {

    /** The options both subcommands take. */
    static final class TopicOptions {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "Kafka brokers (required). Env: FOLDSTREAM_BOOTSTRAP_SERVERS")
        String bootstrapServers;

        @Option(names = "--types", paramLabel = "NAME[,...]",
                description = "Aggregate types (default: all registered). Env: FOLDSTREAM_TYPES")
        String types;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partitions of topics created (default: 6; a type's existing topics keep theirs). Env: FOLDSTREAM_PARTITIONS")
        String partitions;

        @Option(names = "--replication-factor", paramLabel = "N",
                description = "Replicas of topics created (default: min(3, brokers)). Env: FOLDSTREAM_REPLICATION_FACTOR")
        String replicationFactor;

        @Option(names = "--property", paramLabel = "KEY=VALUE",
                description = "An Admin client property, e.g. security settings (repeatable)")
        List<String> properties = new ArrayList<>();

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "15",
                description = "How long to wait for Kafka (default: ${DEFAULT-VALUE})")
        int timeoutSeconds;
    }

    private final Map<String, String> env;
    private final List<AggregateType<?>> registered;

    @Spec
    CommandSpec spec;

    TopicsCommand(Map<String, String> env, List<? extends AggregateType<?>> registered) {
        this.env = Map.copyOf(env);
        this.registered = List.copyOf(registered);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates the missing topics with the contract's settings and checks the existing ones; changes no existing topic.")
    int create(@Mixin TopicOptions options) {
        return run(options, (admin, settings, types) -> {
            EnsuredTopics ensured = admin.ensure(types, settings.partitions(), settings.replicationFactor());
            TopicTable.print(out(), admin.describe(types), ensured.created());
            return 0;
        });
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Shows each topic's partitions, replicas and retention settings, and what the contract finds wrong.")
    int describe(@Mixin TopicOptions options) {
        return run(options, (admin, settings, types) -> {
            List<TopicDescription> described = admin.describe(types);
            TopicTable.print(out(), described, List.of());
            return 0;
        });
    }

    private interface TopicAction {
        int run(TopicAdmin admin, WorkerSettings settings, List<AggregateType<?>> types);
    }

    private int run(TopicOptions options, TopicAction action) {
        PrintWriter err = spec.commandLine().getErr();
        WorkerSettings settings;
        List<AggregateType<?>> types;
        try {
            settings = settings(options);
            types = settings.select(registered);
            if (options.timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout: must be 1 second or more, was " + options.timeoutSeconds);
            }
        } catch (IllegalArgumentException e) {
            err.println("foldstream topics: " + e.getMessage());
            return 2;
        }
        Map<String, Object> config = new HashMap<>(settings.properties());
        config.put("bootstrap.servers", settings.bootstrapServers());
        try (TopicAdmin admin = TopicAdmin.connect(config, Duration.ofSeconds(options.timeoutSeconds))) {
            return action.run(admin, settings, types);
        } catch (TopicContractException | KafkaUnreachableException | KafkaException e) {
            err.println("foldstream topics: " + e.getMessage());
            return 1;
        }
    }

    /** The options read as worker settings, so they are checked and named the same way. */
    private WorkerSettings settings(TopicOptions options) {
        Function<WorkerSetting, String> text = setting -> {
            String flag = switch (setting) {
                case BOOTSTRAP_SERVERS -> options.bootstrapServers;
                case TYPES -> options.types;
                case PARTITIONS -> options.partitions;
                case REPLICATION_FACTOR -> options.replicationFactor;
                default -> null;
            };
            boolean fromEnv = flag == null && (setting == WorkerSetting.BOOTSTRAP_SERVERS || setting == WorkerSetting.TYPES
                    || setting == WorkerSetting.PARTITIONS || setting == WorkerSetting.REPLICATION_FACTOR);
            return fromEnv ? env.get(setting.envVar()) : flag;
        };
        return WorkerSettings.parse(text, options.properties);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
