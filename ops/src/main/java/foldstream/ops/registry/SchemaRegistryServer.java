package foldstream.ops.registry;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks the subset of Confluent Schema Registry's REST API Foldstream and
 * the standard Avro serializers use, and keeps its schemas in a compacted Kafka topic, so it needs
 * nothing but the Kafka cluster it serves. For the demo stack and the integration tests; production
 * deployments point at their own Confluent-compatible registry.
 *
 * <pre>{@code
 * try (SchemaRegistryServer registry = new SchemaRegistryServer(RegistryServerSettings.of("127.0.0.1:9092").withPort(0))) {
 *     registry.start();
 *     String url = registry.url();   // http://127.0.0.1:<port>
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code GET /subjects}, {@code GET|POST /subjects/{subject}/versions},
 * {@code GET /subjects/{subject}/versions/{version|latest}}, {@code POST /subjects/{subject}},
 * {@code GET /schemas/ids/{id}}, {@code POST /compatibility/subjects/{subject}/versions[/{version}]},
 * {@code GET|PUT /config[/{subject}]}, {@code GET|PUT /mode[/{subject}]} (READWRITE, READONLY,
 * READONLY_OVERRIDE; see {@link RegistryMode}). Avro only; no deletes, no references.
 *
 * <p>Security, all in {@link RegistryServerSettings}: HTTPS from a PKCS12 key store, optionally
 * asking clients for certificates (mutual TLS); HTTP basic
 * authentication against a users file with roles ({@link RegistryUsers}, {@link RegistryRole});
 * request bodies above a limit refused with 413 unread; a fixed number of serving threads; Kafka
 * client settings (SASL, TLS) for the schemas topic. It stays on the JDK's HTTP server: with the
 * threads and bodies bounded and request reading timed out ({@code sun.net.httpserver.maxReqTime}),
 * a registry needs nothing more, and the ops module no web server dependency.
 *
 * <p>On {@link #start()} it creates the topic if missing (one partition, compacted), reads it to the
 * end, then serves; it keeps tailing the topic, so several servers on one topic agree and ids survive
 * restarts (see {@code RegistryService} for how ids stay unique with several writers).
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    static {
        // A client that sends its request slowly holds a serving thread; the JDK server drops it
        // after this many seconds. Read once, when the first server is made.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "30");
        }
        // The JDK server writes headers and body separately; with Nagle's algorithm on, every answer
        // then waits ~40 ms for the client's delayed ACK. Read once, when the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final RegistryServerSettings settings;
    private SchemaLog log;
    private HttpServer http;
    private ExecutorService executor;

    public SchemaRegistryServer(RegistryServerSettings settings) {
        this.settings = settings;
    }

    /** Reads the schemas topic to its end, then listens; returns once requests are served. */
    public synchronized SchemaRegistryServer start() {
        if (http != null) {
            throw new IllegalStateException("already started");
        }
        long started = System.nanoTime();
        RegistryUsers users = settings.usersFile() == null ? null : RegistryUsers.load(settings.usersFile());
        SSLContext tls = settings.keyStore() == null ? null : tls(settings.keyStore(), settings.clientTrustStore());
        if (users == null && !isLoopback(settings.host())) {
            LOG.warn("schema registry on {} without a users file: whoever reaches that address may change schemas, levels and modes",
                    settings.host());
        }
        if (users != null && tls == null && !isLoopback(settings.host())) {
            LOG.warn("schema registry on {} checks passwords over plain HTTP: give it a key store (TLS) so they do not cross the network in clear",
                    settings.host());
        }
        SchemaStore store = new SchemaStore();
        log = new SchemaLog(settings, store);
        try {
            log.start();
            AtomicInteger threads = new AtomicInteger();
            executor = Executors.newFixedThreadPool(settings.threads(), task -> {
                Thread thread = new Thread(task, "schema-registry-http-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
            if (tls == null) {
                http = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                boolean clientCertificates = settings.clientTrustStore() != null;
                https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                    @Override
                    public void configure(HttpsParameters parameters) {
                        SSLParameters ssl = tls.getDefaultSSLParameters();
                        ssl.setNeedClientAuth(clientCertificates);
                        parameters.setSSLParameters(ssl);
                    }
                });
                http = https;
            }
            http.createContext("/", new RegistryHttpHandler(new RegistryService(store, log), users, settings.maxBodyBytes()));
            http.setExecutor(executor);
            http.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("schema registry serving {} from topic '{}' ({}, {} threads, bodies up to {} bytes; started in {} ms)",
                url(), settings.topic(), users == null ? "no authentication" : "users from " + settings.usersFile(),
                settings.threads(), settings.maxBodyBytes(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return this;
    }

    /** The port it listens on: the configured one, or the one picked when it was 0. */
    public synchronized int port() {
        if (http == null) {
            throw new IllegalStateException("not started");
        }
        return http.getAddress().getPort();
    }

    /** The base URL clients use, for example {@code http://127.0.0.1:8081} ({@code https} with a key store). */
    public String url() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return (settings.keyStore() == null ? "http" : "https") + "://" + host + ":" + port();
    }

    private static SSLContext tls(RegistryServerSettings.KeyStoreFile keyStore, RegistryServerSettings.KeyStoreFile clientTrustStore) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keyStore, "key store"), password(keyStore));
            TrustManager[] trust = null;
            if (clientTrustStore != null) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(load(clientTrustStore, "client trust store"));
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up the registry's TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(RegistryServerSettings.KeyStoreFile file, String what) {
        try (InputStream in = Files.newInputStream(file.path())) {
            KeyStore store = KeyStore.getInstance(file.type() == null || file.type().isBlank() ? "PKCS12" : file.type());
            store.load(in, password(file));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the registry's " + what + " " + file.path() + ": " + e.getMessage(), e);
        }
    }

    private static char[] password(RegistryServerSettings.KeyStoreFile file) {
        return file.password() == null ? new char[0] : file.password().toCharArray();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    public RegistryServerSettings settings() {
        return settings;
    }

    /** Stops listening, then stops tailing the topic. Idempotent. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            http = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (log != null) {
            log.close();
            log = null;
        }
    }

    /**
     * Runs a registry until the process is stopped.
     *
     * <pre>{@code java -cp ... foldstream.ops.registry.SchemaRegistryServer 127.0.0.1:9092 [port] [host] [topic]}</pre>
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: SchemaRegistryServer <bootstrap-servers> [port, default 8081] [host, default 127.0.0.1] [topic, default _schemas]");
            System.exit(2);
        }
        RegistryServerSettings settings = new RegistryServerSettings(args[0],
                args.length > 2 ? args[2] : RegistryServerSettings.DEFAULT_HOST,
                args.length > 1 ? Integer.parseInt(args[1]) : RegistryServerSettings.DEFAULT_PORT,
                args.length > 3 ? args[3] : RegistryServerSettings.DEFAULT_TOPIC);
        SchemaRegistryServer server = new SchemaRegistryServer(settings).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("schema registry listening on " + server.url());
        stopped.await();
    }
}
