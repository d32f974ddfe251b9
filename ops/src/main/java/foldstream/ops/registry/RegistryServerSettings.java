package foldstream.ops.registry;

import java.util.Map;
import java.util.Objects;

/**
 * Where {@link SchemaRegistryServer} keeps its schemas and where it listens.
 *
 * <pre>{@code
 * RegistryServerSettings settings = RegistryServerSettings.of("127.0.0.1:9092").withPort(0);
 * }</pre>
 *
 * @param bootstrapServers the Kafka cluster that holds the schemas topic
 * @param host the address to listen on; {@code 127.0.0.1} by default, so only this machine reaches it
 * @param port the port to listen on; 0 picks a free one ({@link SchemaRegistryServer#port()} tells which)
 * @param topic the compacted topic of registrations and config changes, {@code _schemas} by default
 * @param kafkaProperties extra settings for the Kafka clients (security, for example); may be empty
 */
public record RegistryServerSettings(String bootstrapServers, String host, int port, String topic,
                                     Map<String, Object> kafkaProperties) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8081;
    public static final String DEFAULT_TOPIC = "_schemas";

    public RegistryServerSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(topic, "topic");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public RegistryServerSettings(String bootstrapServers, String host, int port, String topic) {
        this(bootstrapServers, host, port, topic, Map.of());
    }

    /** Listens on 127.0.0.1:8081 and keeps schemas in {@code _schemas}. */
    public static RegistryServerSettings of(String bootstrapServers) {
        return new RegistryServerSettings(bootstrapServers, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOPIC);
    }

    public RegistryServerSettings withPort(int newPort) {
        return new RegistryServerSettings(bootstrapServers, host, newPort, topic, kafkaProperties);
    }

    public RegistryServerSettings withTopic(String newTopic) {
        return new RegistryServerSettings(bootstrapServers, host, port, newTopic, kafkaProperties);
    }
}
