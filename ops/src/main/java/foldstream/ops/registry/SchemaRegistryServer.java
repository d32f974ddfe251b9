package foldstream.ops.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
 * {@code GET|PUT /config[/{subject}]}. Avro only; no deletes, no references, no modes.
 *
 * <p>On {@link #start()} it creates the topic if missing (one partition, compacted), reads it to the
 * end, then serves; it keeps tailing the topic, so several servers on one topic agree and ids survive
 * restarts (see {@code RegistryService} for how ids stay unique with several writers).
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final int HTTP_THREADS = 4;

    static {
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
        SchemaStore store = new SchemaStore();
        log = new SchemaLog(settings, store);
        try {
            log.start();
            AtomicInteger threads = new AtomicInteger();
            executor = Executors.newFixedThreadPool(HTTP_THREADS, task -> {
                Thread thread = new Thread(task, "schema-registry-http-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
            http.createContext("/", new RegistryHttpHandler(new RegistryService(store, log)));
            http.setExecutor(executor);
            http.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("schema registry serving {} from topic '{}' (started in {} ms)", url(), settings.topic(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return this;
    }

    /** The port it listens on: the configured one, or the one picked when it was 0. */
    public synchronized int port() {
        if (http == null) {
            throw new IllegalStateException("not started");
        }
        return http.getAddress().getPort();
    }

    /** The base URL clients use, for example {@code http://127.0.0.1:8081}. */
    public String url() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return "http://" + host + ":" + port();
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
