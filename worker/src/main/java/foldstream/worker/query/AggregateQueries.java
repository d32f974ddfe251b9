package foldstream.worker.query;

import foldstream.worker.gateway.AggregateView;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.worker.serialization.AvroWireCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one aggregate's current state and version from the snapshot store of whichever instance
 * owns it (Kafka Streams interactive queries): here, or the address of the owner to ask.
 *
 * <pre>{@code
 * Lookup lookup = queries.lookup("ex_accounts", "a1");
 * if (lookup instanceof Lookup.Found found) { ... found.view().version() ... }
 * }</pre>
 */
public final class AggregateQueries {

    private final KafkaStreams streams;
    private final Map<String, AggregateType<?>> types = new HashMap<>();
    private final AvroWireCodec codec;
    private final HostInfo self;
    private final SnapshotCodec envelope = new SnapshotCodec();

    /** @param self this instance's {@code application.server}, as other instances reach it */
    public AggregateQueries(KafkaStreams streams, List<? extends AggregateType<?>> types, AvroWireCodec codec, HostInfo self) {
        this.streams = streams;
        this.codec = codec;
        this.self = self;
        types.forEach(type -> this.types.put(type.name(), type));
    }

    public boolean serves(String type) {
        return types.containsKey(type);
    }

    public Lookup lookup(String typeName, String id) {
        AggregateType<?> type = types.get(typeName);
        if (type == null) {
            return new Lookup.NotReady("aggregate type " + typeName + " is not served here; served: " + types.keySet());
        }
        String storeName = AggregateTopics.of(typeName).snapshotStore();
        KeyQueryMetadata where;
        try {
            where = streams.queryMetadataForKey(storeName, id, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Lookup.NotReady("the worker is not running");
        }
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Lookup.NotReady("no instance owns " + typeName + " '" + id + "' right now (rebalancing)");
        }
        if (!where.activeHost().equals(self)) {
            return new Lookup.Elsewhere(where.activeHost());
        }
        byte[] bytes;
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
                    storeName, QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(where.partition()));
            bytes = store.get(id);
        } catch (InvalidStateStoreException e) {
            return new Lookup.NotReady("the store of " + typeName + " partition " + where.partition()
                    + " is not queryable now (restoring or moving)");
        }
        return new Lookup.Found(view(type, id, bytes));
    }

    private AggregateView view(AggregateType<?> type, String id, byte[] bytes) {
        if (bytes == null) {
            return new AggregateView(type.name(), id, 0, type.aggregate().initialState(), null);
        }
        Snapshot<?> snapshot = envelope.decode(bytes, codec, type.stateClass());
        return new AggregateView(type.name(), id, snapshot.version(), (SpecificRecord) snapshot.state(), snapshot.meta());
    }
}
