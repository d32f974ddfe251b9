package foldstream.ops.stack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster in this JVM: one KRaft node that is both broker and controller,
 * bound to one host, with the single-node settings that transactions (and so exactly-once
 * processing) need. Its storage is formatted on first start and kept across restarts.
 *
 * <pre>{@code
 * try (KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(Path.of("/tmp/stack")).withFreePorts())) {
 *     broker.start();
 *     String bootstrap = broker.bootstrapServers();   // "127.0.0.1:41234"
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {

    /**
     * Where the broker listens and keeps its data.
     *
     * @param host the address both listeners bind to and clients use
     * @param port the broker (client) port; 0 picks a free one at start
     * @param controllerPort the KRaft controller port; 0 picks a free one at start
     * @param dataDir the broker's storage; created and formatted when new
     * @param extraProperties broker properties that override the single-node defaults
     * @param security SASL_SSL and ACLs ({@link Security}), or {@code null} for one plaintext listener
     */
    public record Settings(String host, int port, int controllerPort, Path dataDir, Map<String, String> extraProperties,
                           Security security) {

        public static final int DEFAULT_PORT = 9092;
        public static final int DEFAULT_CONTROLLER_PORT = 9093;

        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(dataDir, "dataDir");
            checkPort(port, "broker port");
            checkPort(controllerPort, "controller port");
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("the broker and controller ports must differ, both are " + port);
            }
            extraProperties = Map.copyOf(extraProperties);
        }

        public Settings(String host, int port, int controllerPort, Path dataDir, Map<String, String> extraProperties) {
            this(host, port, controllerPort, dataDir, extraProperties, null);
        }

        /** 127.0.0.1, ports 9092 and 9093, data in {@code dataDir}. */
        public static Settings local(Path dataDir) {
            return new Settings("127.0.0.1", DEFAULT_PORT, DEFAULT_CONTROLLER_PORT, dataDir, Map.of());
        }

        public Settings withPorts(int brokerPort, int controllerPortNumber) {
            return new Settings(host, brokerPort, controllerPortNumber, dataDir, extraProperties, security);
        }

        /** Clients on SASL_SSL (SCRAM-SHA-512) only, and the standard authorizer: nothing is allowed without an ACL. */
        public Settings withSecurity(Security newSecurity) {
            return new Settings(host, port, controllerPort, dataDir, extraProperties, newSecurity);
        }

        /** Free ports, picked at start: for tests and demos that must not collide with a running stack. */
        public Settings withFreePorts() {
            return withPorts(0, 0);
        }

        public Settings withExtraProperties(Map<String, String> properties) {
            return new Settings(host, port, controllerPort, dataDir, properties, security);
        }

        private static void checkPort(int port, String what) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("the " + what + " must be from 0 to 65535, was " + port);
            }
        }
    }

    /**
     * A broker as a secured production cluster has it: clients connect over SASL_SSL with
     * SCRAM-SHA-512 and the standard authorizer ({@code StandardAuthorizer}) allows only what ACLs
     * grant. The node itself talks to itself over an internal listener on the same host (SASL PLAIN,
     * user {@value #ADMIN}, a super user), which is also how {@link #adminProperties()} reach it to
     * create SCRAM users and ACLs.
     *
     * @param tls the broker's certificate and key, and the trust store clients use
     * @param adminPassword the super user's password
     */
    public record Security(TlsMaterial tls, String adminPassword) {
        public static final String ADMIN = "admin";

        public Security {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(adminPassword, "adminPassword");
        }

        @Override
        public String toString() {
            return "Security[" + tls + "]";
        }
    }

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String SECURE_LISTENER = "SASL_SSL";
    static final String INTERNAL_LISTENER = "INTERNAL";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;
    static final int LOCAL_INDEX_BYTES = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private final Settings settings;
    private KafkaRaftServer server;
    private int port;
    private int controllerPort;
    private int internalPort;

    public KafkaBroker(Settings settings) {
        this.settings = settings;
    }

    /**
     * Formats the storage when new and starts the node; returns once the broker serves clients.
     *
     * @throws PortInUseException when a port is taken
     */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("the broker is already started");
        }
        port = settings.port() == 0 ? freePort() : checkFree(settings.port(), "broker port");
        controllerPort = settings.controllerPort() == 0 ? freePort() : checkFree(settings.controllerPort(), "controller port");
        internalPort = settings.security() == null ? 0 : freePort();
        Path logDir = settings.dataDir().resolve("kafka-logs");
        Files.createDirectories(logDir);
        Properties properties = properties(logDir);
        writeForReference(properties, settings.dataDir().resolve("server.properties"));
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir);
        }
        KafkaRaftServer starting = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            starting.shutdown();
            throw new IllegalStateException("the Kafka broker on " + bootstrapServers() + " (data in "
                    + settings.dataDir() + ") did not start: " + e.getMessage(), e);
        }
        server = starting;
        LOG.info("Kafka broker on {} (controller on {}:{}), data in {}", bootstrapServers(), settings.host(), controllerPort, settings.dataDir());
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return settings.host() + ":" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Settings for a client of the secure listener, as {@code user} (SASL_SSL, SCRAM-SHA-512,
     * trusting the broker's certificate); {@code bootstrap.servers} included.
     */
    public Map<String, Object> clientProperties(String user, String password) {
        Security security = requireSecurity();
        return Map.of(
                "bootstrap.servers", bootstrapServers(),
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "ssl.truststore.location", security.tls().trustStore().toString(),
                "ssl.truststore.password", security.tls().password(),
                "ssl.truststore.type", "PKCS12");
    }

    /** Settings for an admin client of the super user, over the internal listener: for creating users and ACLs. */
    public Map<String, Object> adminProperties() {
        Security security = requireSecurity();
        return Map.of(
                "bootstrap.servers", settings.host() + ":" + internalPort,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", plainJaas(security, false));
    }

    private Security requireSecurity() {
        if (settings.security() == null) {
            throw new IllegalStateException("the broker runs without security: it has one plaintext listener");
        }
        return settings.security();
    }

    private static String plainJaas(Security security, boolean server) {
        String password = security.adminPassword();
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + Security.ADMIN
                + "\" password=\"" + password + "\"" + (server ? " user_" + Security.ADMIN + "=\"" + password + "\"" : "") + ";";
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Settings settings() {
        return settings;
    }

    /** Stops the node (controlled shutdown) and waits for it; the data stays. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        LOG.info("Kafka broker on {} stopped", bootstrapServers());
    }

    private Properties properties(Path logDir) {
        Map<String, String> props = new TreeMap<>();
        String host = settings.host();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        props.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        if (settings.security() != null) {
            secure(props, settings.security());
        }
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        // One node: every internal topic has one replica, and transactions need no more.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Fewer internal partitions than production's 50: a local node starts faster.
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.num.partitions", "10");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Each partition's offset and time indexes are files preallocated to this size and mapped into
        // memory. The first write to one faults, and the kernel reads around it: on a disk that reads
        // ahead 8 MB (this project's 2-core machines), Kafka's 10 MB default made that 3-4 ms of kernel
        // CPU and 8 MB of page cache per file, so a thousand partitions (20 aggregate types) cost the
        // broker seconds of CPU and 16 GB of memory. 256 KB still indexes segments of 85 MB or more
        // (an entry per 4 KB of log; a full index rolls the segment).
        props.put("log.index.size.max.bytes", Integer.toString(LOCAL_INDEX_BYTES));
        // Topics are created with the contract's settings, never implicitly with broker defaults.
        props.put("auto.create.topics.enable", "false");
        props.putAll(settings.extraProperties());
        Properties properties = new Properties();
        properties.putAll(props);
        return properties;
    }

    private void secure(Map<String, String> props, Security security) {
        String host = settings.host();
        String jaas = plainJaas(security, true);
        props.put("listeners", SECURE_LISTENER + "://" + host + ":" + port + "," + INTERNAL_LISTENER + "://" + host + ":" + internalPort
                + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", SECURE_LISTENER + "://" + host + ":" + port + "," + INTERNAL_LISTENER + "://" + host + ":" + internalPort);
        props.put("listener.security.protocol.map", SECURE_LISTENER + ":SASL_SSL," + INTERNAL_LISTENER + ":SASL_PLAINTEXT,"
                + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", INTERNAL_LISTENER);
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        // SCRAM credentials live in the cluster metadata, so the controller and the node's own
        // connections use PLAIN with the super user's password from the configuration.
        props.put("listener.name.internal.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.internal.plain.sasl.jaas.config", jaas);
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.controller.plain.sasl.jaas.config", jaas);
        props.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("ssl.keystore.location", security.tls().keyStore().toString());
        props.put("ssl.keystore.password", security.tls().password());
        props.put("ssl.key.password", security.tls().password());
        props.put("ssl.keystore.type", "PKCS12");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:" + Security.ADMIN);
        props.put("allow.everyone.if.no.acl.found", "false");
    }

    private void format(Path logDir) throws IOException {
        String directory = logDir.toAbsolutePath().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(directory))
                    .setMetadataLogDirectory(directory)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format Kafka storage in " + directory + ": " + e.getMessage(), e);
        }
        LOG.info("formatted Kafka storage in {}", directory);
    }

    private static void writeForReference(Properties properties, Path file) throws IOException {
        Properties shown = new Properties();
        // Secrets stay out of the reference copy.
        properties.forEach((key, value) -> shown.put(key, key.toString().contains("password") || key.toString().contains("jaas")
                ? "[hidden]" : value));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            shown.store(out, "The settings of the Foldstream stack's Kafka node (written at each start; for reference; secrets hidden)");
        }
    }

    private int checkFree(int wanted, String what) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), wanted));
            return wanted;
        } catch (java.net.BindException e) {
            throw new PortInUseException(settings.host(), wanted, what);
        }
    }

    private int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(settings.host()))) {
            return probe.getLocalPort();
        }
    }
}
