package foldstream.worker.serialization;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How {@link HttpSchemaRegistryClient} reaches a registry: one or more base URLs (tried in turn when
 * one fails), optional HTTP basic auth or a bearer token, an optional trust store and client
 * certificate for TLS, timeouts and bounded retries with exponential backoff.
 *
 * <pre>{@code
 * RegistryClientSettings settings = RegistryClientSettings.of("https://registry.example:8081")
 *         .withBasicAuth("alice:secret")
 *         .withTrustStore(new RegistryClientSettings.TrustStore(Path.of("truststore.p12"), "changeit", "PKCS12"))
 *         .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(2));
 * }</pre>
 *
 * @param baseUrls the registry's base URLs, for example {@code http://localhost:8081} or Apicurio's
 *     {@code http://host:8080/apis/ccompat/v7}; request paths are appended to them
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or {@code null} for none
 * @param trustStore the certificates to trust for {@code https} URLs, or {@code null} for the JDK's defaults
 * @param maxRetries how many times a call is repeated after a connection error or a 5xx answer
 * @param bearerToken a token sent as {@code Authorization: Bearer ...}, or {@code null}; never with basic auth
 * @param keyStore the client certificate and key for registries that ask for one (mTLS), or {@code null}
 */
public record RegistryClientSettings(List<URI> baseUrls, String basicAuthUserInfo, TrustStore trustStore,
                                     Duration connectTimeout, Duration requestTimeout, int maxRetries,
                                     Duration backoffInitial, Duration backoffMax, String bearerToken, TrustStore keyStore) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(2);

    public RegistryClientSettings {
        baseUrls = List.copyOf(baseUrls);
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one schema registry URL is needed");
        }
        for (URI url : baseUrls) {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException("schema registry URL '" + url + "' must start with http:// or https://");
            }
        }
        if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
            throw new IllegalArgumentException("basic auth user info must be 'user:password'");
        }
        if (basicAuthUserInfo != null && bearerToken != null) {
            throw new IllegalArgumentException("basic auth and a bearer token exclude each other: give one");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(backoffInitial, "backoffInitial");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
    }

    public RegistryClientSettings(List<URI> baseUrls, String basicAuthUserInfo, TrustStore trustStore,
                                  Duration connectTimeout, Duration requestTimeout, int maxRetries,
                                  Duration backoffInitial, Duration backoffMax) {
        this(baseUrls, basicAuthUserInfo, trustStore, connectTimeout, requestTimeout, maxRetries, backoffInitial, backoffMax, null, null);
    }

    /** Settings with the defaults for one or more comma-separated base URLs. */
    public static RegistryClientSettings of(String commaSeparatedUrls) {
        List<URI> urls = new ArrayList<>();
        for (String url : commaSeparatedUrls.split(",")) {
            String trimmed = url.trim();
            if (!trimmed.isEmpty()) {
                urls.add(URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed));
            }
        }
        return new RegistryClientSettings(urls, null, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_RETRIES, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX);
    }

    public RegistryClientSettings withBasicAuth(String userInfo) {
        return new RegistryClientSettings(baseUrls, userInfo, trustStore, connectTimeout, requestTimeout,
                maxRetries, backoffInitial, backoffMax, bearerToken, keyStore);
    }

    public RegistryClientSettings withTrustStore(TrustStore store) {
        return new RegistryClientSettings(baseUrls, basicAuthUserInfo, store, connectTimeout, requestTimeout,
                maxRetries, backoffInitial, backoffMax, bearerToken, keyStore);
    }

    public RegistryClientSettings withTimeouts(Duration connect, Duration request) {
        return new RegistryClientSettings(baseUrls, basicAuthUserInfo, trustStore, connect, request,
                maxRetries, backoffInitial, backoffMax, bearerToken, keyStore);
    }

    public RegistryClientSettings withRetries(int retries, Duration initial, Duration max) {
        return new RegistryClientSettings(baseUrls, basicAuthUserInfo, trustStore, connectTimeout, requestTimeout,
                retries, initial, max, bearerToken, keyStore);
    }

    /** Sends {@code Authorization: Bearer <token>} (Confluent's {@code bearer.auth.token}). */
    public RegistryClientSettings withBearerToken(String token) {
        return new RegistryClientSettings(baseUrls, basicAuthUserInfo, trustStore, connectTimeout, requestTimeout,
                maxRetries, backoffInitial, backoffMax, token, keyStore);
    }

    /** Presents this client certificate to registries that ask for one. */
    public RegistryClientSettings withKeyStore(TrustStore store) {
        return new RegistryClientSettings(baseUrls, basicAuthUserInfo, trustStore, connectTimeout, requestTimeout,
                maxRetries, backoffInitial, backoffMax, bearerToken, store);
    }

    /**
     * The TLS context for {@code https} URLs, or {@code null} for the JDK's defaults (no trust store,
     * no client certificate). Where every URL is plain {@code http} and no store is set, a context
     * that trusts nothing and loads nothing: it is never used, and the JDK's default context would
     * read its whole trust store (some 150 certificates, 70 ms of a cold start) only to be built.
     */
    public SSLContext sslContext() {
        if (trustStore == null && keyStore == null) {
            return baseUrls.stream().allMatch(url -> "http".equals(url.getScheme())) ? unusedTls() : null;
        }
        try {
            KeyManager[] keys = null;
            if (keyStore != null) {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore.load("key store"), keyStore.password() == null ? new char[0] : keyStore.password().toCharArray());
                keys = factory.getKeyManagers();
            }
            TrustManager[] trust = null;
            if (trustStore != null) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trustStore.load("trust store"));
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static SSLContext unusedTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[0], new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK offers no TLS context", e);
        }
    }

    /** The wait before retry number {@code retry} (0-based): doubling from the initial backoff, capped. */
    public Duration backoff(int retry) {
        Duration wait = backoffInitial.multipliedBy(1L << Math.min(retry, 20));
        return wait.compareTo(backoffMax) > 0 ? backoffMax : wait;
    }

    /** Never shows the password or the trust store's password. */
    @Override
    public String toString() {
        return "RegistryClientSettings[baseUrls=" + baseUrls
                + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : basicAuthUserInfo.substring(0, basicAuthUserInfo.indexOf(':')) + ":***")
                + ", bearerToken=" + (bearerToken == null ? "none" : "***")
                + ", trustStore=" + (trustStore == null ? "JDK default" : trustStore.path())
                + ", keyStore=" + (keyStore == null ? "none" : keyStore.path())
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxRetries=" + maxRetries + ", backoff=" + backoffInitial + ".." + backoffMax + "]";
    }

    /**
     * A trust store (or key store) file for TLS connections to the registry.
     *
     * <pre>{@code SSLContext tls = new TrustStore(Path.of("truststore.p12"), "changeit", "PKCS12").sslContext(); }</pre>
     *
     * @param type {@code PKCS12} or {@code JKS}; {@code null} for the JDK's default type
     */
    public record TrustStore(Path path, String password, String type) {
        public TrustStore {
            Objects.requireNonNull(path, "path");
        }

        /** The store's content; {@code what} names it in the error. */
        KeyStore load(String what) {
            try (InputStream in = Files.newInputStream(path)) {
                KeyStore store = KeyStore.getInstance(type == null || type.isBlank() ? KeyStore.getDefaultType() : type);
                store.load(in, password == null ? null : password.toCharArray());
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load the schema registry " + what + " " + path + ": " + e.getMessage(), e);
            }
        }

        /** An SSL context that trusts the certificates in this store (and no others). */
        public SSLContext sslContext() {
            try (InputStream in = Files.newInputStream(path)) {
                KeyStore store = KeyStore.getInstance(type == null || type.isBlank() ? KeyStore.getDefaultType() : type);
                store.load(in, password == null ? null : password.toCharArray());
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load the schema registry trust store " + path + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "TrustStore[" + path + ", " + type + "]";
        }
    }
}
