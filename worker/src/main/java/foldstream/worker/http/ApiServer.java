package foldstream.worker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server under the worker's API: Jetty 12, chosen because it is well kept (Eclipse
 * Foundation, frequent security releases), runs on Java 17, has the limits the JDK's built-in
 * server lacks (request header and body sizes, idle timeouts, a bounded thread pool, a connection
 * cap; its NIO connector parks slow clients without holding a thread, so slow senders cannot starve
 * the others), serves TLS with client certificates, and needs no servlet container (the core API,
 * three jars).
 *
 * <pre>{@code
 * try (ApiServer server = new ApiServer("127.0.0.1", 0, HttpLimits.defaults(), Optional.empty(), Access.none(), true, routes)) {
 *     server.start();
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;

    /**
     * @param host the address to listen on
     * @param port 0 for any free port
     * @param probesOpen whether {@link Need#probe()} routes answer without credentials
     */
    public ApiServer(String host, int port, HttpLimits limits, Optional<TlsSettings> tls, Access access, boolean probesOpen,
                     RouteTable routes) {
        ObjectMapper json = new ObjectMapper();
        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), Math.min(4, limits.maxThreads()));
        threads.setName("foldstream-http");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Ids are path segments: a '/' in one is written %2F, which Jetty's default refuses as ambiguous.
        http.setUriCompliance(UriCompliance.DEFAULT.with("foldstream-ids", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        if (tls.isPresent()) {
            // No SNI host check: instances are reached by the address they advertise, often an IP.
            http.addCustomizer(new SecureRequestCustomizer(false));
            this.connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls.get().serverFactory(), plain.getProtocol()),
                    plain);
        } else {
            this.connector = new ServerConnector(server, 1, 1, plain);
        }
        this.tls = tls.isPresent();
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        server.addConnector(connector);
        NetworkConnectionLimit connections = new NetworkConnectionLimit(limits.maxConnections(), connector);
        // At the cap, idle connections are closed sooner, so that clients holding sockets open lose them first.
        connections.setEndPointIdleTimeout(Math.min(limits.idleTimeout().toMillis(), 2_000));
        server.addBean(connections);
        server.setErrorHandler(new JsonErrors());
        server.setHandler(new ApiHandler(routes, access, probesOpen, limits, json));
        server.setStopTimeout(2_000);
    }

    /** Starts listening. @throws UncheckedIOException when the address cannot be bound */
    public ApiServer start() {
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the HTTP server did not start: " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public boolean tls() {
        return tls;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort: the JVM or the worker is going away.
        }
    }

    /** Errors Jetty answers itself (a header too large, a malformed request) as JSON, without detail from inside. */
    private static final class JsonErrors extends ErrorHandler {
        private final ObjectMapper json = new ObjectMapper();

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            int status = request.getAttribute(ERROR_STATUS) instanceof Integer code ? code : 500;
            String message = switch (status) {
                case 400 -> "the request is not valid HTTP";
                case 413 -> "the request is too large";
                case 414 -> "the URI is too long";
                case 431 -> "the request's headers are too large";
                default -> "the request could not be answered";
            };
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.JSON);
            response.write(true, ByteBuffer.wrap(json.writeValueAsString(Map.of("error", "HTTP_" + status, "message", message))
                    .getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, Reply.JSON);
            try {
                return ByteBuffer.wrap(json.writeValueAsBytes(new Reply.ErrorBody("HTTP_" + status,
                        "the request was refused before it was read")));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return ByteBuffer.allocate(0);
            }
        }
    }
}
