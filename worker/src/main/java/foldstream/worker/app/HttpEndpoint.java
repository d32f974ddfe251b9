package foldstream.worker.app;

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
 * and advertises HOST.
 */
record HttpEndpoint(String bindHost, int port, String advertisedHost) {

    static HttpEndpoint of(WorkerSettings settings) {
        String advertised = settings.properties().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        if (advertised != null) {
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

    /** A port free now; the server binds it a moment later (Kafka Streams must know it before it starts). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String advertised() {
        return advertisedHost + ":" + port;
    }

    HostInfo hostInfo() {
        return new HostInfo(advertisedHost, port);
    }
}
