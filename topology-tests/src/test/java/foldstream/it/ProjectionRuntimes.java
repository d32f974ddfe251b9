package foldstream.it;

import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/** The runtime of projection runners started by a test on the shared broker, as one worker instance would have it. */
final class ProjectionRuntimes {

    private ProjectionRuntimes() {
    }

    /** Worker application id {@code run}, state in {@code stateDir}, one instance (all keys local). */
    static ProjectionRuntime of(KafkaStack.Endpoints stack, String run, AvroWireCodec codec, Path stateDir) {
        return of(stack, run, codec, stateDir, 1);
    }

    /** One of several instances, told apart by {@code port} (its {@code application.server}; nothing listens there). */
    static ProjectionRuntime of(KafkaStack.Endpoints stack, String run, AvroWireCodec codec, Path stateDir, int port) {
        Map<String, Object> streams = new HashMap<>(StreamsSettings.defaults(run, stack.bootstrapServers()));
        streams.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        streams.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + port);
        return new ProjectionRuntime(run, streams, Map.of("bootstrap.servers", stack.bootstrapServers()), codec, List.of(),
                EventUpcaster.NONE, new HostInfo("127.0.0.1", port));
    }
}
