package foldstream.worker.projection.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.Projection;
import java.util.List;
import foldstream.worker.serialization.AvroWireCodec;
import java.util.Map;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the projection runners of a worker share: the worker's application id (their own ids
 * derive from it), its Kafka Streams settings (brokers, security, state directory, replication,
 * {@code application.server}), the plain clients' settings (brokers and security), the codec, the
 * aggregate types it runs (their upcasters apply to the events projections read) that reads events, the upcaster, and this instance's HTTP
 * address for interactive queries.
 */
public record ProjectionRuntime(String workerApplicationId, Map<String, Object> streamsConfig, Map<String, Object> clientConfig,
                                AvroWireCodec codec, List<AggregateType<?>> types, EventUpcaster upcaster, HostInfo self) {

    public ProjectionRuntime {
        streamsConfig = Map.copyOf(streamsConfig);
        clientConfig = Map.copyOf(clientConfig);
        types = List.copyOf(types);
    }

    /** How this runtime's projections read events: with the upcasters of the known types, then {@link #upcaster()}. */
    ProjectionEventReader reader(Projection projection) {
        return new ProjectionEventReader(projection, codec, upcaster, types);
    }
}
