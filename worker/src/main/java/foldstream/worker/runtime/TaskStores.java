package foldstream.worker.runtime;

import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The persistent stores of Foldstream's tasks: Kafka Streams' RocksDB key-value store, except that
 * a changelog write no longer copies the store's position.
 *
 * <p>Kafka Streams' changelog layer asks the store for its position on every write, and Kafka 4.4's
 * transactional RocksDB store answers with a copy merged with its uncommitted deltas (two maps, under
 * a lock): 7 % of the stream thread in a profile of the throughput benchmark (docs/performance.md).
 * The changelog layer uses that position only to stamp the record's headers when
 * {@code StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED} is on. Foldstream never
 * turns it on; when a user does, the store answers with the real position again. Queries
 * ({@code query}) go to the RocksDB store itself and keep their exact positions either way.
 *
 * <pre>{@code
 * Stores.keyValueStoreBuilder(TaskStores.persistent("ex_accounts-snapshots"), Serdes.String(), Serdes.ByteArray())
 * }</pre>
 */
final class TaskStores {

    private TaskStores() {
    }

    /** A supplier of RocksDB stores named {@code name}, as {@link Stores#persistentKeyValueStore} but without position copies. */
    static KeyValueBytesStoreSupplier persistent(String name) {
        KeyValueBytesStoreSupplier rocks = Stores.persistentKeyValueStore(name);
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return rocks.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new WithoutPositionCopies(rocks.get());
            }

            @Override
            public String metricsScope() {
                return rocks.metricsScope();
            }
        };
    }

    /** Delegates everything to the RocksDB store; {@link #getPosition} copies only when consistency vectors are on. */
    static final class WithoutPositionCopies extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
            implements KeyValueStore<Bytes, byte[]> {

        /** What the changelog layer gets while consistency vectors are off: it reads nothing of it, so one serves every write. */
        private final Position unused = Position.emptyPosition();
        private boolean consistencyVectors;

        WithoutPositionCopies(KeyValueStore<Bytes, byte[]> rocks) {
            super(rocks);
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            consistencyVectors = Boolean.parseBoolean(String.valueOf(
                    context.appConfigs().get(StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED)));
            super.init(context, root);
        }

        @Override
        public Position getPosition() {
            return consistencyVectors ? wrapped().getPosition() : unused;
        }

        @Override
        public void put(Bytes key, byte[] value) {
            wrapped().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            wrapped().putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return wrapped().delete(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return wrapped().get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return wrapped().reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return wrapped().reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
            return wrapped().prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }

        @Override
        public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
            return wrapped().readOnly(isolationLevel);
        }
    }
}
