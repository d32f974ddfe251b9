package foldstream.ops.cli;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.WireFormatConfig;
import foldstream.worker.topics.KafkaUnreachableException;
import foldstream.worker.topics.ObservedTopic;
import foldstream.worker.topics.TopicAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/**
 * The options {@code send} and {@code tail} share: where Kafka and the schema registry are (each
 * with its environment variable and a local default), Kafka client properties, how long to wait
 * for them to answer, and {@code --json}.
 */
final class ClientOptions {

    static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://127.0.0.1:8081";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (default: " + DEFAULT_BOOTSTRAP_SERVERS + "). Env: FOLDSTREAM_BOOTSTRAP_SERVERS")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "The schema registry (default: " + DEFAULT_SCHEMA_REGISTRY_URL + "). Env: FOLDSTREAM_SCHEMA_REGISTRY_URL")
    String schemaRegistryUrl;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "A Kafka client or schema registry client property, e.g. security settings"
                    + " or basic.auth.user.info (repeatable)")
    List<String> properties = new ArrayList<>();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long to wait for Kafka to answer, e.g. 500ms, 15s (default: ${DEFAULT-VALUE})")
    Duration connectTimeout;

    @Option(names = "--json", description = "Print one JSON object per line, for scripts")
    boolean json;

    String bootstrapServers(Map<String, String> env) {
        return pick(bootstrapServers, env.get("FOLDSTREAM_BOOTSTRAP_SERVERS"), DEFAULT_BOOTSTRAP_SERVERS);
    }

    String schemaRegistryUrl(Map<String, String> env) {
        return pick(schemaRegistryUrl, env.get("FOLDSTREAM_SCHEMA_REGISTRY_URL"), DEFAULT_SCHEMA_REGISTRY_URL);
    }

    /** Client settings: the properties, then {@code bootstrap.servers}. */
    Map<String, Object> kafka(Map<String, String> env) {
        Map<String, Object> settings = keyValues(properties);
        settings.put("bootstrap.servers", bootstrapServers(env));
        return settings;
    }

    /** {@code --property KEY=VALUE} flags as a map; a flag without {@code =} is a usage error. */
    static Map<String, Object> keyValues(List<String> properties) {
        Map<String, Object> settings = new HashMap<>();
        for (String property : properties) {
            int eq = property.indexOf('=');
            if (eq < 1) {
                throw new CliFailure(ExitStatus.USAGE, "--property: '" + property + "' must be KEY=VALUE");
            }
            settings.put(property.substring(0, eq).trim(), property.substring(eq + 1).trim());
        }
        return settings;
    }

    /**
     * The registry client, with the registry settings among the properties, named as Confluent's
     * clients name them ({@code basic.auth.user.info}, {@code bearer.auth.token},
     * {@code schema.registry.ssl.truststore.location}, ...).
     */
    SchemaRegistryClient registry(Map<String, String> env, RegistryClientFactory factory) {
        try {
            return factory.connect(schemaRegistryUrl(env), kafka(env));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new CliFailure(ExitStatus.USAGE, "--schema-registry-url / --property: " + e.getMessage());
        }
    }

    /** {@code auto.register.schemas} among the properties (default true). */
    boolean autoRegister(Map<String, String> env) {
        try {
            return WireFormatConfig.autoRegister(kafka(env));
        } catch (ConfigException e) {
            throw new CliFailure(ExitStatus.USAGE, "--property: " + e.getMessage());
        }
    }

    /**
     * Checks that Kafka answers and that the type's topics exist, before any client that would wait
     * for them longer.
     */
    void requireTopics(Map<String, String> env, AggregateType<?> type, List<String> topics) {
        Map<String, Object> kafka = kafka(env);
        try (TopicAdmin admin = TopicAdmin.connect(kafka, connectTimeout)) {
            Map<String, ObservedTopic> found = admin.observe(topics);
            List<String> missing = topics.stream().filter(topic -> !found.containsKey(topic)).toList();
            if (!missing.isEmpty()) {
                throw new CliFailure(ExitStatus.FAILED, "the topics " + missing + " do not exist at " + kafka.get("bootstrap.servers")
                        + ": no worker has run " + type.name() + " there yet (a worker creates them, or: foldstream topics create --types "
                        + type.name() + ")");
            }
        } catch (KafkaUnreachableException e) {
            throw new CliFailure(ExitStatus.FAILED, e.getMessage());
        } catch (KafkaException e) {
            throw new CliFailure(ExitStatus.FAILED, "Kafka at " + kafka.get("bootstrap.servers") + " failed: " + e.getMessage());
        }
    }

    static List<String> topicsOf(AggregateType<?> type, TopicKind... kinds) {
        AggregateTopics topics = AggregateTopics.of(type.name());
        List<String> names = new ArrayList<>();
        for (TopicKind kind : kinds) {
            names.add(switch (kind) {
                case COMMANDS -> topics.commands();
                case EVENTS -> topics.events();
                case RESULTS -> topics.results();
            });
        }
        return names;
    }

    enum TopicKind { COMMANDS, EVENTS, RESULTS }

    private static String pick(String flag, String env, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        return env != null && !env.isBlank() ? env.trim() : fallback;
    }

    /** The aggregate type named {@code name} among those the tool knows, or a usage error naming them. */
    static AggregateType<?> type(List<? extends AggregateType<?>> known, String name) {
        return known.stream().filter(type -> type.name().equals(name)).findFirst()
                .orElseThrow(() -> new CliFailure(ExitStatus.USAGE, "unknown aggregate type " + name + "; known: "
                        + String.join(", ", known.stream().map(AggregateType::name).toList())));
    }
}
