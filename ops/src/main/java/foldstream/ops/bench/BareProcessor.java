package foldstream.ops.bench;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The most a Kafka Streams design can do here: per record one RocksDB read-modify-write and two
 * writes, no decoding, no rules. Foldstream is measured against it.
 */
final class BareProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String STORE = "bare-store";

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<byte[], byte[]> store;

    static String output(String stream) {
        return stream + "-bare-out";
    }

    static String second(String stream) {
        return stream + "-bare-second";
    }

    static Topology topology(String stream) {
        Topology topology = new Topology();
        topology.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), stream + "-commands");
        topology.addProcessor("bare", BareProcessor::new, "source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.ByteArray(), Serdes.ByteArray())
                .withCachingEnabled(), "bare");
        topology.addSink("out", output(stream), new ByteArraySerializer(), new ByteArraySerializer(), "bare");
        topology.addSink("second", second(stream), new ByteArraySerializer(), new ByteArraySerializer(), "bare");
        return topology;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] before = store.get(record.key());
        long count = before == null ? 0 : ByteBuffer.wrap(before).getLong();
        store.put(record.key(), ByteBuffer.allocate(Long.BYTES).putLong(count + 1).array());
        context.forward(record, "out");
        context.forward(record, "second");
    }
}
