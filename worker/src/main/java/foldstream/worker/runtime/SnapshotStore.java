package foldstream.worker.runtime;

import foldstream.protocol.AggregateSnapshot;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SchemaRegistryUnavailableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The snapshots of one aggregate type in one task: the RocksDB store, with the hot-aggregate cache
 * in front of it. The state is kept in the wire format under the subject {@code S-state-value}, the
 * same bytes that go to the {@code S-state} topic.
 */
final class SnapshotStore<S extends SpecificRecord> {

    /**
     * The key of the rebuild checkpoint in the snapshot store: the empty string, never an aggregate
     * id (a command without a key is {@code MALFORMED}).
     */
    static final String CHECKPOINT_KEY = "";

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
        Snapshot<S> snapshot;
        try {
            snapshot = envelope.decode(bytes, codec, type.stateClass());
        } catch (SchemaRegistryUnavailableException e) {
            throw e; // the registry is away: the command waits for it and is read again (RegistryWait)
        } catch (RuntimeException e) {
            throw new UnreadableSnapshotException(type.name() + " '" + aggregateId + "': its stored snapshot cannot be read ("
                    + e.getMessage() + ")", e);
        }
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

    /**
     * A stored snapshot that does not decode: bytes no schema of the registry reads (a state
     * directory restored against another registry, a store written by something else), an unknown
     * envelope format. The command it was loaded for is answered {@code FAILED}, saying so; nothing
     * is written.
     */
    static final class UnreadableSnapshotException extends RuntimeException {
        UnreadableSnapshotException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The state in the wire format, as it is stored and published. */
    byte[] encodeState(S state) {
        return codec.encode(stateSubject, state);
    }

    /** The aggregate's stored snapshot, or {@code null} when it has none. */
    Snapshot<S> stored(String aggregateId) {
        Snapshot<S> snapshot = load(aggregateId);
        return snapshot.exists() ? snapshot : null;
    }

    /**
     * Deletes up to {@code max} snapshots (a replay starts from none), never the rebuild
     * checkpoint, and empties the cache.
     *
     * @return how many it deleted: fewer than {@code max} when none are left
     */
    int deleteSome(int max) {
        cache.clear();
        List<String> some = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext() && some.size() < max) {
                String key = all.next().key;
                if (!key.equals(CHECKPOINT_KEY)) {
                    some.add(key);
                }
            }
        }
        some.forEach(store::delete);
        return some.size();
    }

    /** The rebuild checkpoint's bytes, or {@code null}. */
    byte[] checkpoint() {
        return store.get(CHECKPOINT_KEY);
    }

    /** Stored with the snapshots, so it commits (or is taken back) with them. */
    void checkpoint(byte[] bytes) {
        store.put(CHECKPOINT_KEY, bytes);
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
