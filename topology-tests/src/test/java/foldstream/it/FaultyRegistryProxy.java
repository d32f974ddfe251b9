package foldstream.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of the real registry server that answers lookups of writer schemas by id
 * ({@code GET /schemas/ids/...}) with faults, in turn, until {@link #recover()}: everything else, and
 * every lookup after recovery, goes to the registry unchanged. A test fixture (the JDK's HTTP server).
 *
 * <pre>{@code
 * try (FaultyRegistryProxy proxy = FaultyRegistryProxy.start(stack.registryUrl(), FaultyRegistryProxy.Fault.all())) {
 *     ... point a worker at proxy.url() ...
 *     proxy.recover();
 * }
 * }</pre>
 */
final class FaultyRegistryProxy implements AutoCloseable {

    /** One faulty answer: status, content type and body. */
    record Fault(String name, int status, String contentType, String body) {
        /** 401, 403, 408, 429 (Confluent's JSON bodies), a proxy's 404 page, a 500, a 200 that is not JSON, a 200 JSON that is not a schema. */
        static List<Fault> all() {
            String json = "application/vnd.schemaregistry.v1+json";
            return List.of(
                    new Fault("401", 401, json, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"),
                    new Fault("403", 403, json, "{\"error_code\":40301,\"message\":\"User is denied operation Read\"}"),
                    new Fault("429", 429, json, "{\"error_code\":42901,\"message\":\"Too many requests\"}"),
                    new Fault("408", 408, "text/plain", "Request Timeout"),
                    new Fault("404 page", 404, "text/html", "<html><body><h1>404 Not Found</h1>nginx</body></html>"),
                    new Fault("500", 500, json, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}"),
                    new Fault("200 not JSON", 200, "text/html", "<html><body>Maintenance</body></html>"),
                    new Fault("200 not a schema", 200, "application/json", "{\"status\":\"ok\"}"));
        }
    }

    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Fault> faults;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong forwardedLookups = new AtomicLong();
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    private volatile boolean recovered;

    private FaultyRegistryProxy(HttpServer server, URI target, List<Fault> faults) {
        this.server = server;
        this.target = target;
        this.faults = List.copyOf(faults);
    }

    static FaultyRegistryProxy start(String registryUrl, List<Fault> faults) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        FaultyRegistryProxy proxy = new FaultyRegistryProxy(server, URI.create(registryUrl), faults);
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return proxy;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on every call reaches the registry. */
    void recover() {
        recovered = true;
    }

    /** How often each fault was answered, by name. */
    Map<String, Integer> served() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        served.forEach((name, count) -> counts.put(name, count.get()));
        return counts;
    }

    /** Lookups by id that reached the registry. */
    long forwardedLookups() {
        return forwardedLookups.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            boolean lookup = "GET".equals(exchange.getRequestMethod()) && path.startsWith("/schemas/ids/");
            if (lookup && !recovered) {
                Fault fault = faults.get(Math.floorMod(next.getAndIncrement(), faults.size()));
                served.computeIfAbsent(fault.name(), name -> new AtomicInteger()).incrementAndGet();
                reply(exchange, fault.status(), fault.contentType(), fault.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (lookup) {
                forwardedLookups.incrementAndGet();
            }
            forward(exchange);
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : List.of("Content-Type", "Accept", "Authorization")) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            reply(exchange, response.statusCode(), response.headers().firstValue("Content-Type").orElse("application/json"), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 502, "text/plain", "interrupted".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
