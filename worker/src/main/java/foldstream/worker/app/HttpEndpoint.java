package foldstream.worker.app;

import foldstream.worker.http.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a worker's HTTP API listens and how other instances reach it (Kafka Streams'
 * {@code application.server}, which interactive queries route by). By default it listens on
 * 127.0.0.1 at {@code --http-port}; a worker that other machines must reach is given
 * {@code --property application.server=HOST:PORT}: it then listens on every address at that port
 * and advertises HOST. Listening beyond 127.0.0.1 needs credentials (an access file, or client
 * certificates required) or an explicit {@code --http-insecure}.
 */
record HttpEndpoint(String bindHost, int port, String advertisedHost) {

    static HttpEndpoint of(WorkerSettings settings, HttpApiSettings http) {
        String advertised = settings.properties().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        if (advertised != null) {
            if (!credentialsConfigured(http) && !http.insecure()) {
                throw new InvalidSettingException(WorkerSetting.HTTP_INSECURE, StreamsConfig.APPLICATION_SERVER_CONFIG + "="
                        + advertised + " makes the HTTP API listen on every address, and no credentials are configured: give "
                        + WorkerSetting.HTTP_ACCESS_FILE.describe() + " (or require client certificates with "
                        + WorkerSetting.HTTP_CLIENT_AUTH.flag() + " need), or set " + WorkerSetting.HTTP_INSECURE.flag()
                        + " to serve it to anyone who reaches the port");
            }
            int colon = advertised.lastIndexOf(':');
            try {
                return new HttpEndpoint("0.0.0.0", Integer.parseInt(advertised.substring(colon + 1)), advertised.substring(0, colon));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new InvalidSettingException(WorkerSetting.PROPERTY, StreamsConfig.APPLICATION_SERVER_CONFIG + "=" + advertised
                        + " must be HOST:PORT");
            }
        }
        int port = settings.httpPort() == 0 ? freePort() : settings.httpPort();
        return new HttpEndpoint("127.0.0.1", port, "127.0.0.1");
    }

    /** Whether requests must prove who they are: tokens or certificates in an access file, or a client certificate required. */
    static boolean credentialsConfigured(HttpApiSettings http) {
        return http.access().configured()
                || http.tls().map(tls -> tls.clientAuth() == TlsSettings.ClientAuth.NEED).orElse(false);
    }

    /** A port free now; the server binds it a moment later (Kafka Streams must know it before it starts). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What to throw when the HTTP server did not start: a port that cannot be bound is a bad {@code --http-port}. */
    RuntimeException startFailure(RuntimeException e) {
        if (e instanceof UncheckedIOException) {
            return new InvalidSettingException(WorkerSetting.HTTP_PORT, "cannot listen on " + bindHost + ":" + port + ": "
                    + e.getCause().getMessage());
        }
        return e;
    }

        String advertised() {
        return advertisedHost + ":" + port;
    }

    HostInfo hostInfo() {
        return new HostInfo(advertisedHost, port);
    }
}
