package foldstream.worker.runtime;

import foldstream.protocol.AggregateSnapshot;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.AvroWireCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The snapshots of one aggregate type in one task: the RocksDB store, with the hot-aggregate cache
 * in front of it. The state is kept in the wire format under the subject {@code S-state-value}, the
 * same bytes that go to the {@code S-state} topic.
 */
final class SnapshotStore<S extends SpecificRecord> {

    private final AggregateType<S> type;
    private final KeyValueStore<String, byte[]> store;
    private final AggregateCache<S> cache;
    private final AvroWireCodec codec;
    private final SnapshotCodec envelope;
    private final String stateSubject;

    SnapshotStore(AggregateType<S> type, KeyValueStore<String, byte[]> store, AggregateCache<S> cache,
                  AvroWireCodec codec, SnapshotCodec envelope) {
        this.type = type;
        this.store = store;
        this.cache = cache;
        this.codec = codec;
        this.envelope = envelope;
        this.stateSubject = AggregateTopics.of(type.name()).state() + "-value";
    }

    /** The aggregate's latest snapshot; version 0 with the initial state when it has none. */
    Snapshot<S> load(String aggregateId) {
        Snapshot<S> cached = cache.get(aggregateId);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = store.get(aggregateId);
        if (bytes == null) {
            return Snapshot.initial(initialState());
        }
        Snapshot<S> snapshot = envelope.decode(bytes, codec, type.stateClass());
        cache.put(aggregateId, snapshot);
        return cache.handOut(snapshot);
    }

    private S initialState() {
        try {
            return type.aggregate().initialState();
        } catch (Throwable e) {
            AggregateCode.rethrowUnlessSurvivable(e, type.name() + ": initialState");
            throw new AggregateCode.InitialStateException(e);
        }
    }

    /** The state in the wire format, as it is stored and published. */
    byte[] encodeState(S state) {
        return codec.encode(stateSubject, state);
    }

    /** Replaces every snapshot of this task with these: pure event sourcing's rebuild. */
    void replaceAll(Map<String, Snapshot<S>> rebuilt) {
        cache.clear();
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> stale.add(entry.key));
        }
        stale.forEach(store::delete);
        rebuilt.forEach((id, snapshot) -> save(id, snapshot, encodeState(snapshot.state())));
    }

    /** Stores the snapshot, whose state {@link #encodeState} already encoded. */
    void save(String aggregateId, Snapshot<S> snapshot, byte[] stateBytes) {
        saveEncoded(aggregateId, snapshot, encodeSnapshot(snapshot, stateBytes));
    }

    /** The bytes {@link #save} stores (and the changelog carries) for this snapshot. */
    byte[] encodeSnapshot(Snapshot<S> snapshot, byte[] stateBytes) {
        return envelope.encode(new AggregateSnapshot(snapshot.version(), ByteBuffer.wrap(stateBytes), snapshot.meta()));
    }

    /** Stores the snapshot as {@link #encodeSnapshot} encoded it. */
    void saveEncoded(String aggregateId, Snapshot<S> snapshot, byte[] encoded) {
        store.put(aggregateId, encoded);
        cache.put(aggregateId, snapshot);
    }
}
