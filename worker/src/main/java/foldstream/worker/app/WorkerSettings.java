package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.CommandLimits;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a worker needs to run: where Kafka and the schema registry are, which Kafka Streams
 * application it belongs to, and which aggregate types it runs. Invalid values are refused at
 * construction with an {@link InvalidSettingException} that names the setting.
 *
 * <pre>{@code
 * WorkerSettings settings = WorkerSettings.of("127.0.0.1:9092")
 *         .withSchemaRegistryUrl("http://127.0.0.1:8081")
 *         .withTypes(List.of("ex_users"));
 * }</pre>
 *
 * @param bootstrapServers Kafka's {@code host:port} list, comma-separated; required
 * @param schemaRegistryUrl the Confluent-compatible registry; empty when the caller hands the worker
 *     a registry client itself (the stand-alone worker requires it)
 * @param applicationId the Kafka Streams application id: instances with the same id share the work
 *     (default {@value #DEFAULT_APPLICATION_ID})
 * @param stateDir where RocksDB keeps the snapshots (default {@code <java.io.tmpdir>/kafka-streams},
 *     Kafka Streams' own default)
 * @param threads stream threads of this instance (default 1)
 * @param types names of the registered aggregate types to run; empty runs all of them
 * @param partitions partitions of the topics the worker creates (default {@value #DEFAULT_PARTITIONS});
 *     existing topics keep theirs
 * @param httpPort the port of the worker's HTTP endpoint (default {@value #DEFAULT_HTTP_PORT}; 0 picks a free one)
 * @param replicationFactor replicas of the topics the worker creates, and of Kafka Streams' internal
 *     topics; {@value #DERIVED_REPLICATION} (the default) means min(3, brokers in the cluster), so a
 *     one-broker development cluster gets 1 and a production cluster gets 3
 * @param properties Kafka and Kafka Streams properties passed through as given; they override the
 *     worker's defaults, except those that have a setting of their own (refused here)
 */
public record WorkerSettings(String bootstrapServers, Optional<String> schemaRegistryUrl, String applicationId,
                             Path stateDir, int threads, List<String> types, int partitions, int httpPort,
                             int replicationFactor, Map<String, String> properties) {

    public static final String DEFAULT_APPLICATION_ID = "foldstream";
    public static final int DEFAULT_THREADS = 1;
    public static final int DEFAULT_PARTITIONS = 6;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DERIVED_REPLICATION = -1;

    // Kafka's rule for topic names; the application id prefixes the names of internal topics.
    private static final Pattern APPLICATION_ID = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    /** Properties that have a setting of their own: passing them as properties too would be ambiguous. */
    private static final Map<String, WorkerSetting> OWN_SETTINGS = Map.of(
            "bootstrap.servers", WorkerSetting.BOOTSTRAP_SERVERS,
            "application.id", WorkerSetting.APPLICATION_ID,
            "state.dir", WorkerSetting.STATE_DIR,
            "num.stream.threads", WorkerSetting.THREADS,
            "replication.factor", WorkerSetting.REPLICATION_FACTOR);

    /** Properties Foldstream fixes: changing them would break the contract, not tune it. */
    private static final Set<String> FIXED = Set.of("processing.guarantee");

    public WorkerSettings {
        bootstrapServers = checkBootstrapServers(bootstrapServers);
        schemaRegistryUrl = Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl").map(WorkerSettings::checkRegistryUrl);
        if (applicationId == null || !APPLICATION_ID.matcher(applicationId).matches()) {
            throw new InvalidSettingException(WorkerSetting.APPLICATION_ID, "'" + applicationId
                    + "' must be 1 to 200 letters, digits, '.', '_' or '-': it prefixes Kafka topic names");
        }
        if (stateDir == null) {
            throw new InvalidSettingException(WorkerSetting.STATE_DIR, "missing");
        }
        if (threads < 1) {
            throw new InvalidSettingException(WorkerSetting.THREADS, "must be 1 or more, was " + threads);
        }
        types = checkTypeNames(types);
        if (partitions < 1) {
            throw new InvalidSettingException(WorkerSetting.PARTITIONS, "must be 1 or more, was " + partitions);
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw new InvalidSettingException(WorkerSetting.HTTP_PORT, "must be a port from 0 to 65535, was " + httpPort);
        }
        if (replicationFactor != DERIVED_REPLICATION && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            throw new InvalidSettingException(WorkerSetting.REPLICATION_FACTOR,
                    "must be 1 or more (or -1: min(3, brokers)), was " + replicationFactor);
        }
        properties = checkProperties(properties);
    }

    /** Settings with every default, for the cluster at {@code bootstrapServers}. */
    public static WorkerSettings of(String bootstrapServers) {
        return new WorkerSettings(bootstrapServers, Optional.empty(), DEFAULT_APPLICATION_ID, defaultStateDir(),
                DEFAULT_THREADS, List.of(), DEFAULT_PARTITIONS, DEFAULT_HTTP_PORT, DERIVED_REPLICATION, Map.of());
    }

    /** Kafka Streams' own default state directory. */
    public static Path defaultStateDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams");
    }

    /**
     * Reads settings written as text, as flags and environment variables give them; absent
     * ({@code null}) values take their defaults. Errors name the setting.
     *
     * <pre>{@code
     * WorkerSettings settings = WorkerSettings.parse(
     *         setting -> setting == WorkerSetting.BOOTSTRAP_SERVERS ? "127.0.0.1:9092" : null,
     *         List.of("commit.interval.ms=50"));
     * }</pre>
     *
     * @param text the text of each setting, or {@code null} when not given
     * @param properties pass-through properties as {@code KEY=VALUE}
     */
    public static WorkerSettings parse(Function<WorkerSetting, String> text, List<String> properties) {
        String bootstrap = text.apply(WorkerSetting.BOOTSTRAP_SERVERS);
        String registry = blankToNull(text.apply(WorkerSetting.SCHEMA_REGISTRY_URL));
        String applicationId = blankToNull(text.apply(WorkerSetting.APPLICATION_ID));
        String stateDir = blankToNull(text.apply(WorkerSetting.STATE_DIR));
        String types = blankToNull(text.apply(WorkerSetting.TYPES));
        return new WorkerSettings(
                bootstrap,
                Optional.ofNullable(registry),
                applicationId == null ? DEFAULT_APPLICATION_ID : applicationId,
                stateDir == null ? defaultStateDir() : path(stateDir),
                number(text, WorkerSetting.THREADS, DEFAULT_THREADS),
                types == null ? List.of() : split(types),
                number(text, WorkerSetting.PARTITIONS, DEFAULT_PARTITIONS),
                number(text, WorkerSetting.HTTP_PORT, DEFAULT_HTTP_PORT),
                number(text, WorkerSetting.REPLICATION_FACTOR, DERIVED_REPLICATION),
                keyValues(properties));
    }

    /** {@code --types none}: a worker of process managers and projections only (docs/workflows.md). */
    public static final String NO_TYPES = "none";

    /**
     * The registered types this worker runs: all of them when {@link #types()} is empty, none for
     * {@value #NO_TYPES}, otherwise those named, in the order named.
     *
     * @throws InvalidSettingException naming the unknown types and listing the known ones
     */
    public List<AggregateType<?>> select(List<? extends AggregateType<?>> registered) {
        Map<String, AggregateType<?>> byName = new LinkedHashMap<>();
        for (AggregateType<?> type : registered) {
            byName.put(type.name(), type);
        }
        if (types.isEmpty()) {
            return List.copyOf(byName.values());
        }
        if (types.equals(List.of(NO_TYPES))) {
            return List.of();
        }
        List<String> unknown = types.stream().filter(name -> !byName.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.TYPES, "unknown aggregate type"
                    + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + "; known: " + String.join(", ", byName.keySet()));
        }
        return types.stream().<AggregateType<?>>map(byName::get).toList();
    }

    public WorkerSettings withSchemaRegistryUrl(String url) {
        return new WorkerSettings(bootstrapServers, Optional.of(url), applicationId, stateDir, threads, types,
                partitions, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withApplicationId(String id) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, id, stateDir, threads, types,
                partitions, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withStateDir(Path dir) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, dir, threads, types,
                partitions, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withTypes(List<String> names) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, threads, names,
                partitions, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withPartitions(int count) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, threads, types,
                count, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withHttpPort(int port) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, threads, types,
                partitions, port, replicationFactor, properties);
    }

    public WorkerSettings withThreads(int count) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, count, types,
                partitions, httpPort, replicationFactor, properties);
    }

    public WorkerSettings withProperties(Map<String, String> props) {
        return new WorkerSettings(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, threads, types,
                partitions, httpPort, replicationFactor, props);
    }

    private static String checkBootstrapServers(String servers) {
        List<String> addresses = servers == null ? List.of() : split(servers);
        if (addresses.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.BOOTSTRAP_SERVERS,
                    "missing: say where Kafka is, for example 127.0.0.1:9092");
        }
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? "" : address.substring(0, colon);
            String port = colon < 0 ? "" : address.substring(colon + 1);
            if (host.isEmpty() || !isPort(port)) {
                throw new InvalidSettingException(WorkerSetting.BOOTSTRAP_SERVERS,
                        "'" + address + "' is not host:port (a port from 1 to 65535)");
            }
        }
        return String.join(",", addresses);
    }

    private static boolean isPort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port >= 1 && port <= 65_535;
    }

    private static String checkRegistryUrl(String url) {
        try {
            URI uri = new URI(url.trim());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new InvalidSettingException(WorkerSetting.SCHEMA_REGISTRY_URL,
                        "'" + url + "' is not an http:// or https:// URL with a host");
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(WorkerSetting.SCHEMA_REGISTRY_URL, "'" + url + "' is not a URL: " + e.getMessage());
        }
    }

    private static List<String> checkTypeNames(List<String> names) {
        Objects.requireNonNull(names, "types");
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new InvalidSettingException(WorkerSetting.TYPES, "contains an empty name");
            }
            if (!seen.add(name)) {
                throw new InvalidSettingException(WorkerSetting.TYPES, name + " is named twice");
            }
        }
        return List.copyOf(seen);
    }

    private static Map<String, String> checkProperties(Map<String, String> properties) {
        Objects.requireNonNull(properties, "properties");
        for (Map.Entry<String, String> property : properties.entrySet()) {
            String key = property.getKey();
            if (key == null || key.isBlank()) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, "a property has an empty name");
            }
            if (property.getValue() == null) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, key + " has no value");
            }
            WorkerSetting own = OWN_SETTINGS.get(key.trim());
            if (own != null) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, key + " has a setting of its own: use " + own.describe());
            }
            if (FIXED.contains(key.trim())) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, key + " cannot be changed: Foldstream's guarantees "
                        + "(every command's events, snapshot, result and offset commit together) need exactly_once_v2");
            }
        }
        try {
            CommandLimits.DEFAULTS.with(properties);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.PROPERTY, e.getMessage());
        }
        return Map.copyOf(properties);
    }

    private static int number(Function<WorkerSetting, String> text, WorkerSetting setting, int absent) {
        String value = blankToNull(text.apply(setting));
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(setting, "'" + value + "' is not a whole number");
        }
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(WorkerSetting.STATE_DIR, "'" + text + "' is not a path: " + e.getMessage());
        }
    }

    private static Map<String, String> keyValues(List<String> pairs) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, "'" + pair + "' is not KEY=VALUE");
            }
            String key = pair.substring(0, equals).trim();
            if (properties.put(key, pair.substring(equals + 1)) != null) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, key + " is given twice");
            }
        }
        return properties;
    }

    private static List<String> split(String commaSeparated) {
        List<String> parts = new ArrayList<>();
        for (String part : commaSeparated.split(",", -1)) {
            parts.add(part.trim());
        }
        return parts.stream().filter(p -> !p.isEmpty()).collect(Collectors.toList());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
