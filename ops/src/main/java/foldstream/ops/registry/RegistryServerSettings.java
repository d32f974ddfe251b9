package foldstream.ops.registry;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where {@link SchemaRegistryServer} keeps its schemas, where it listens, who may call it and how
 * much it accepts.
 *
 * <pre>{@code
 * RegistryServerSettings settings = RegistryServerSettings.of("127.0.0.1:9092").withPort(0)
 *         .withTls(new RegistryServerSettings.KeyStoreFile(Path.of("registry.p12"), "changeit", "PKCS12"))
 *         .withUsersFile(Path.of("registry-users.txt"));
 * }</pre>
 *
 * @param bootstrapServers the Kafka cluster that holds the schemas topic
 * @param host the address to listen on; {@code 127.0.0.1} by default, so only this machine reaches it
 * @param port the port to listen on; 0 picks a free one ({@link SchemaRegistryServer#port()} tells which)
 * @param topic the compacted topic of registrations and config changes, {@code _schemas} by default
 * @param kafkaProperties extra settings for the Kafka clients (security, for example); may be empty
 * @param keyStore the server's certificate and key for HTTPS, or {@code null} for plain HTTP
 * @param usersFile the users and their roles (see {@link RegistryUsers}), or {@code null}: no
 *     authentication, every caller is an admin (for a registry on 127.0.0.1 only)
 * @param threads the threads that serve requests, so this many clients are served at once
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 without being read
 * @param clientTrustStore with {@code keyStore}: the certificates (or CAs) of the clients allowed to
 *     connect, each of which must then present one (mutual TLS); {@code null}: no client certificates
 */
public record RegistryServerSettings(String bootstrapServers, String host, int port, String topic,
                                     Map<String, Object> kafkaProperties, KeyStoreFile keyStore, Path usersFile,
                                     int threads, int maxBodyBytes, KeyStoreFile clientTrustStore) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8081;
    public static final String DEFAULT_TOPIC = "_schemas";
    public static final int DEFAULT_THREADS = 16;
    /** 1 MiB: Confluent Cloud's largest schema; a schema inside its JSON request stays below it. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    public RegistryServerSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(topic, "topic");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads " + threads + " is not between 1 and 1024");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the largest request body, " + maxBodyBytes + " bytes, must be at least 1024");
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
        if (clientTrustStore != null && keyStore == null) {
            throw new IllegalArgumentException("client certificates need TLS: give the server's key store too");
        }
    }

    public RegistryServerSettings(String bootstrapServers, String host, int port, String topic, Map<String, Object> kafkaProperties) {
        this(bootstrapServers, host, port, topic, kafkaProperties, null, null, DEFAULT_THREADS, DEFAULT_MAX_BODY_BYTES, null);
    }

    public RegistryServerSettings(String bootstrapServers, String host, int port, String topic) {
        this(bootstrapServers, host, port, topic, Map.of());
    }

    /** Listens on 127.0.0.1:8081 and keeps schemas in {@code _schemas}. */
    public static RegistryServerSettings of(String bootstrapServers) {
        return new RegistryServerSettings(bootstrapServers, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOPIC);
    }

    public RegistryServerSettings withPort(int newPort) {
        return new RegistryServerSettings(bootstrapServers, host, newPort, topic, kafkaProperties, keyStore, usersFile, threads, maxBodyBytes, clientTrustStore);
    }

    public RegistryServerSettings withHost(String newHost) {
        return new RegistryServerSettings(bootstrapServers, newHost, port, topic, kafkaProperties, keyStore, usersFile, threads, maxBodyBytes, clientTrustStore);
    }

    public RegistryServerSettings withTopic(String newTopic) {
        return new RegistryServerSettings(bootstrapServers, host, port, newTopic, kafkaProperties, keyStore, usersFile, threads, maxBodyBytes, clientTrustStore);
    }

    /** Kafka client settings for the schemas topic, e.g. {@code security.protocol=SASL_SSL}. */
    public RegistryServerSettings withKafkaProperties(Map<String, Object> properties) {
        return new RegistryServerSettings(bootstrapServers, host, port, topic, properties, keyStore, usersFile, threads, maxBodyBytes, clientTrustStore);
    }

    public RegistryServerSettings withTls(KeyStoreFile store) {
        return new RegistryServerSettings(bootstrapServers, host, port, topic, kafkaProperties, store, usersFile, threads, maxBodyBytes, clientTrustStore);
    }

    public RegistryServerSettings withUsersFile(Path file) {
        return new RegistryServerSettings(bootstrapServers, host, port, topic, kafkaProperties, keyStore, file, threads, maxBodyBytes, clientTrustStore);
    }

    public RegistryServerSettings withLimits(int newThreads, int newMaxBodyBytes) {
        return new RegistryServerSettings(bootstrapServers, host, port, topic, kafkaProperties, keyStore, usersFile, newThreads, newMaxBodyBytes, clientTrustStore);
    }

    /** Asks every client for a certificate that this trust store vouches for (mutual TLS). */
    public RegistryServerSettings withClientCertificates(KeyStoreFile trustStore) {
        return new RegistryServerSettings(bootstrapServers, host, port, topic, kafkaProperties, keyStore, usersFile, threads, maxBodyBytes, trustStore);
    }

    /** Never shows passwords, whether in the Kafka properties or of the key store. */
    @Override
    public String toString() {
        return "RegistryServerSettings[bootstrapServers=" + bootstrapServers + ", host=" + host + ", port=" + port
                + ", topic=" + topic + ", kafkaProperties=" + kafkaProperties.keySet() + ", keyStore=" + keyStore
                + ", clientTrustStore=" + clientTrustStore + ", usersFile=" + usersFile + ", threads=" + threads + ", maxBodyBytes=" + maxBodyBytes + "]";
    }

    /**
     * A key store file holding the server's certificate chain and private key.
     *
     * @param type {@code PKCS12} (the default when null) or {@code JKS}
     */
    public record KeyStoreFile(Path path, String password, String type) {
        public KeyStoreFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return "KeyStoreFile[" + path + ", " + (type == null ? "PKCS12" : type) + "]";
        }
    }
}
