package foldstream.worker.serialization;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of {@link WireFormatSerializer}, {@link WireFormatDeserializer} and
 * {@link WireFormatSerde} when Kafka creates them from class names and passes its configuration to
 * {@code configure(Map, boolean)}. Registry keys are Confluent's, so one configuration serves both.
 *
 * <pre>{@code
 * Map<String, Object> config = Map.of(
 *         WireFormatConfig.REGISTRY_URL, "http://localhost:8081",
 *         WireFormatConfig.AUTO_REGISTER, false,
 *         WireFormatConfig.READER_TYPES, "foldstream.examples.users.UserCreated,foldstream.examples.users.ProfileSet");
 * WireFormatConfig settings = WireFormatConfig.from(config);
 * }</pre>
 *
 * @param strategy how subjects are named; {@code null}: as the wire contract says for each topic
 *     ({@link SubjectNameStrategy#forTopic})
 * @param readerTypes the record classes a deserializer accepts (empty for a serializer)
 */
public record WireFormatConfig(RegistryClientSettings registry, boolean autoRegister, SubjectNameStrategy strategy,
                               List<Class<? extends SpecificRecord>> readerTypes) {

    /** Comma-separated base URLs of the registry. Required. */
    public static final String REGISTRY_URL = "schema.registry.url";
    /** {@code USER_INFO} (the only source supported) or absent. */
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for HTTP basic auth. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    /** Register a record's schema on first write (default true); when false the latest version must be it. */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** {@code topic-name}, {@code topic-record-name}, or absent for the wire contract's choice per topic. */
    public static final String SUBJECT_STRATEGY = "foldstream.subject.strategy";
    /** Comma-separated generated record classes a deserializer reads into. */
    public static final String READER_TYPES = "foldstream.reader.types";
    public static final String CONNECT_TIMEOUT_MS = "foldstream.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "foldstream.registry.request.timeout.ms";
    public static final String MAX_RETRIES = "foldstream.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "foldstream.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "foldstream.registry.retry.backoff.max.ms";

    public WireFormatConfig {
        readerTypes = List.copyOf(readerTypes);
    }

    /** Reads the keys above; unknown keys (the rest of a Kafka client's configuration) are ignored. */
    public static WireFormatConfig from(Map<String, ?> configs) {
        String urls = text(configs, REGISTRY_URL);
        if (urls == null || urls.isBlank()) {
            throw new ConfigException(REGISTRY_URL, urls, "the schema registry URL is required");
        }
        RegistryClientSettings registry;
        try {
            registry = RegistryClientSettings.of(urls);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(REGISTRY_URL, urls, e.getMessage());
        }
        String source = text(configs, BASIC_AUTH_SOURCE);
        String userInfo = text(configs, BASIC_AUTH_USER_INFO);
        if (source != null && !source.isBlank() && !"USER_INFO".equals(source)) {
            throw new ConfigException(BASIC_AUTH_SOURCE, source, "only USER_INFO is supported");
        }
        if (userInfo != null && !userInfo.isBlank()) {
            if (!userInfo.contains(":")) {
                throw new ConfigException(BASIC_AUTH_USER_INFO + " must be 'user:password'");
            }
            registry = registry.withBasicAuth(userInfo);
        }
        String trustStore = text(configs, TRUSTSTORE_LOCATION);
        if (trustStore != null && !trustStore.isBlank()) {
            registry = registry.withTrustStore(new RegistryClientSettings.TrustStore(Path.of(trustStore),
                    text(configs, TRUSTSTORE_PASSWORD), text(configs, TRUSTSTORE_TYPE)));
        }
        registry = registry
                .withTimeouts(millis(configs, CONNECT_TIMEOUT_MS, registry.connectTimeout()),
                        millis(configs, REQUEST_TIMEOUT_MS, registry.requestTimeout()))
                .withRetries((int) number(configs, MAX_RETRIES, registry.maxRetries()),
                        millis(configs, RETRY_BACKOFF_MS, registry.backoffInitial()),
                        millis(configs, RETRY_BACKOFF_MAX_MS, registry.backoffMax()));
        String autoRegister = text(configs, AUTO_REGISTER);
        if (autoRegister != null && !"true".equalsIgnoreCase(autoRegister) && !"false".equalsIgnoreCase(autoRegister)) {
            throw new ConfigException(AUTO_REGISTER, autoRegister, "must be true or false");
        }
        return new WireFormatConfig(registry, autoRegister == null || Boolean.parseBoolean(autoRegister),
                strategy(text(configs, SUBJECT_STRATEGY)), readerTypes(text(configs, READER_TYPES)));
    }

    /** The subject strategy for a topic: the configured one, or the wire contract's. */
    public SubjectNameStrategy strategyFor(String topic) {
        return strategy != null ? strategy : SubjectNameStrategy.forTopic(topic);
    }

    private static SubjectNameStrategy strategy(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        try {
            return SubjectNameStrategy.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SUBJECT_STRATEGY, name, "must be topic-name or topic-record-name");
        }
    }

    private static List<Class<? extends SpecificRecord>> readerTypes(String names) {
        List<Class<? extends SpecificRecord>> types = new ArrayList<>();
        if (names == null) {
            return types;
        }
        for (String name : names.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                Class<?> type = Class.forName(name.trim(), true, Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : WireFormatConfig.class.getClassLoader());
                if (!SpecificRecord.class.isAssignableFrom(type)) {
                    throw new ConfigException(READER_TYPES, name, "is not a generated Avro record class");
                }
                types.add(type.asSubclass(SpecificRecord.class));
            } catch (ClassNotFoundException e) {
                throw new ConfigException(READER_TYPES, name, "no such class on the classpath");
            }
        }
        return types;
    }

    private static String text(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null ? null : value.toString();
    }

    private static long number(Map<String, ?> configs, String key, long fallback) {
        String value = text(configs, key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be a whole number");
        }
    }

    private static Duration millis(Map<String, ?> configs, String key, Duration fallback) {
        return Duration.ofMillis(number(configs, key, fallback.toMillis()));
    }
}
