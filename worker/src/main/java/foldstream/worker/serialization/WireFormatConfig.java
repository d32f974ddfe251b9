package foldstream.worker.serialization;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
    /** {@code USER_INFO} (from {@link #BASIC_AUTH_USER_INFO}), {@code URL} (from the URL's {@code user:password@}) or absent. */
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for HTTP basic auth. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** {@code STATIC_TOKEN} (from {@link #BEARER_AUTH_TOKEN}) or absent. */
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    /** The token sent as {@code Authorization: Bearer ...}. */
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    /** A client certificate for registries that ask for one (mTLS). */
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
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
        RegistryClientSettings registry = registryClient(configs);
        return new WireFormatConfig(registry, autoRegister(configs),
                strategy(text(configs, SUBJECT_STRATEGY)), readerTypes(text(configs, READER_TYPES)));
    }

    /**
     * The registry client's settings among a client configuration: {@link #REGISTRY_URL}, the
     * credentials (basic or bearer), the TLS stores, timeouts and retries. The worker and the
     * command-line tool read their {@code --property} settings with it.
     *
     * @throws ConfigException naming the key that is missing or wrong (never echoing a secret)
     */
    public static RegistryClientSettings registryClient(Map<String, ?> configs) {
        String urls = text(configs, REGISTRY_URL);
        if (urls == null || urls.isBlank()) {
            throw new ConfigException(REGISTRY_URL, urls, "the schema registry URL is required");
        }
        String source = text(configs, BASIC_AUTH_SOURCE);
        String userInfo = text(configs, BASIC_AUTH_USER_INFO);
        if (source != null && !source.isBlank() && !"USER_INFO".equals(source) && !"URL".equals(source)) {
            throw new ConfigException(BASIC_AUTH_SOURCE, source, "must be USER_INFO or URL");
        }
        RegistryClientSettings registry;
        try {
            if ("URL".equals(source)) {
                // The credentials ride in the URL (https://user:password@host); sent as a header, never in the URL.
                userInfo = null;
                List<String> plain = new ArrayList<>();
                for (String url : urls.split(",")) {
                    if (url.isBlank()) {
                        continue;
                    }
                    URI uri = URI.create(url.trim());
                    if (uri.getRawUserInfo() != null) {
                        userInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
                    }
                    plain.add(new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null).toString());
                }
                if (userInfo == null) {
                    throw new ConfigException(BASIC_AUTH_SOURCE + "=URL needs user:password@ in " + REGISTRY_URL);
                }
                urls = String.join(",", plain);
            }
            registry = RegistryClientSettings.of(urls);
        } catch (IllegalArgumentException | URISyntaxException e) {
            throw new ConfigException(REGISTRY_URL, "(not shown)", e.getMessage() == null ? "not a URL" : e.getMessage().replaceAll("//[^/@]*@", "//***@"));
        }
        if (userInfo != null && !userInfo.isBlank()) {
            if (!userInfo.contains(":")) {
                throw new ConfigException(BASIC_AUTH_USER_INFO + " must be 'user:password'");
            }
            registry = registry.withBasicAuth(userInfo);
        }
        String bearerSource = text(configs, BEARER_AUTH_SOURCE);
        String token = text(configs, BEARER_AUTH_TOKEN);
        if (bearerSource != null && !bearerSource.isBlank() && !"STATIC_TOKEN".equals(bearerSource)) {
            throw new ConfigException(BEARER_AUTH_SOURCE, bearerSource, "only STATIC_TOKEN is supported");
        }
        if ("STATIC_TOKEN".equals(bearerSource) && (token == null || token.isBlank())) {
            throw new ConfigException(BEARER_AUTH_SOURCE + "=STATIC_TOKEN needs " + BEARER_AUTH_TOKEN);
        }
        if (token != null && !token.isBlank()) {
            if (registry.basicAuthUserInfo() != null) {
                throw new ConfigException(BEARER_AUTH_TOKEN + " and basic auth (" + BASIC_AUTH_USER_INFO
                        + " or a URL's user:password) exclude each other: give one");
            }
            registry = registry.withBearerToken(token.trim());
        }
        String trustStore = text(configs, TRUSTSTORE_LOCATION);
        if (trustStore != null && !trustStore.isBlank()) {
            registry = registry.withTrustStore(new RegistryClientSettings.TrustStore(Path.of(trustStore),
                    text(configs, TRUSTSTORE_PASSWORD), text(configs, TRUSTSTORE_TYPE)));
        }
        String keyStore = text(configs, KEYSTORE_LOCATION);
        if (keyStore != null && !keyStore.isBlank()) {
            registry = registry.withKeyStore(new RegistryClientSettings.TrustStore(Path.of(keyStore),
                    text(configs, KEYSTORE_PASSWORD), text(configs, KEYSTORE_TYPE)));
        }
        return registry
                .withTimeouts(millis(configs, CONNECT_TIMEOUT_MS, registry.connectTimeout()),
                        millis(configs, REQUEST_TIMEOUT_MS, registry.requestTimeout()))
                .withRetries((int) number(configs, MAX_RETRIES, registry.maxRetries()),
                        millis(configs, RETRY_BACKOFF_MS, registry.backoffInitial()),
                        millis(configs, RETRY_BACKOFF_MAX_MS, registry.backoffMax()));
    }

    /** Whether {@link #AUTO_REGISTER} is on (the default) in a client configuration. */
    public static boolean autoRegister(Map<String, ?> configs) {
        String autoRegister = text(configs, AUTO_REGISTER);
        if (autoRegister != null && !"true".equalsIgnoreCase(autoRegister.trim()) && !"false".equalsIgnoreCase(autoRegister.trim())) {
            throw new ConfigException(AUTO_REGISTER, autoRegister, "must be true or false");
        }
        return autoRegister == null || Boolean.parseBoolean(autoRegister.trim());
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
