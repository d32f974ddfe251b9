package foldstream.ops.bench;

import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.FoldstreamTopology;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * The Kafka side of the wire contract with nothing else: per command the records any implementation
 * of it on Kafka Streams writes, and none of the work Foldstream adds (no Avro, no rules, no checks).
 * Per command it reads and writes the aggregate's state in a changelogged RocksDB store (no record
 * cache, and the changelog's segments, as Foldstream's), and, but for {@link Window#NONE}, reads and
 * writes the answered command under a key of its own (the idempotency window) in a second store, as
 * Foldstream keeps it, or in the same store; then it forwards one event and one result with the
 * contract's headers (eight and four, as Foldstream writes them) at about Foldstream's sizes. Like
 * Foldstream's, its task of a partition also reads that partition of a control topic (the
 * contract's {@code S-control}).
 *
 * <p>So it says how much of the gap between Foldstream and the bare processor the contract's own
 * records cost on Kafka, and how much the second store does (docs/performance.md).
 *
 * <pre>{@code
 * Topology topology = ContractFloorProcessor.topology("bench", ContractFloorProcessor.Window.OWN_STORE);   // as Foldstream
 * }</pre>
 */
final class ContractFloorProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** About an {@code ex_accounts} result, snapshot and state as Avro (bytes). */
    private static final int RESULT_BYTES = 90;
    private static final int SNAPSHOT_BYTES = 80;
    private static final byte[] EVENT_TYPE = "foldstream.examples.MoneyDeposited".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(StandardCharsets.UTF_8);

    /** Where the answered commands go; each is a kind of benchmark child ({@link BenchChild}). */
    enum Window {
        /** Nowhere: one read and one write per command. */
        NONE("floor-no-window", "the state alone, one read and one write"),
        /** Under keys of their own in the state's store: two reads and two writes, one store and changelog. */
        STATE_STORE("floor-window-in-state-store", "answered commands under keys of their own in the state's store"),
        /** In a store of their own, as Foldstream keeps them: two reads and two writes in two stores. */
        OWN_STORE("floor-window-own-store", "answered commands in a store of their own, as Foldstream");

        private final String kind;
        private final String description;

        Window(String kind, String description) {
            this.kind = kind;
            this.description = description;
        }

        /** The benchmark child's kind that runs this floor. */
        String kind() {
            return kind;
        }

        /** What the floor's rows in the benchmark's table say it keeps. */
        String description() {
            return description;
        }

        /** The floor a benchmark child of {@code kind} runs, if it runs one. */
        static Optional<Window> ofKind(String kind) {
            return Arrays.stream(values()).filter(window -> window.kind.equals(kind)).findFirst();
        }
    }

    private final Window window;
    private final String stream;
    private final String eventsSink;
    private final String resultsSink;
    private final byte[] aggregateType;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<byte[], byte[]> states;
    private KeyValueStore<byte[], byte[]> answered;

    private ContractFloorProcessor(String stream, Window window) {
        this.window = window;
        this.stream = stream;
        this.eventsSink = eventsSink(stream);
        this.resultsSink = resultsSink(stream);
        this.aggregateType = stream.getBytes(StandardCharsets.UTF_8);
    }

    static String events(String stream) {
        return stream + "-floor-events";
    }

    static String results(String stream) {
        return stream + "-floor-results";
    }

    static String control(String stream) {
        return stream + "-floor-control";
    }

    /** Every topic a floor of {@code stream} reads or writes but its changelogs (Kafka Streams makes those). */
    static List<String> topics(String stream) {
        return List.of(stream + "-commands", control(stream), events(stream), results(stream));
    }

    static Topology topology(String stream, Window window) {
        return topology(List.of(stream), window);
    }

    /** One sub-topology per stream name, as a worker of several aggregate types has. */
    static Topology topology(List<String> streams, Window window) {
        Topology topology = new Topology();
        for (String stream : streams) {
            String processor = stream + "-floor";
            topology.addSource(stream + "-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), stream + "-commands");
            // The contract's S-control, read by the task of the same partition (the bench writes no instructions).
            topology.addSource(stream + "-control-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), control(stream));
            topology.addProcessor(processor, () -> new ContractFloorProcessor(stream, window), stream + "-source", stream + "-control-source");
            // The state's changelog in Foldstream's segments, which the broker compacts while it is written: a choice
            // any implementation of the contract can make, so the floor's takeover makes it too.
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(states(stream)), Serdes.ByteArray(),
                    Serdes.ByteArray()).withCachingDisabled().withLoggingEnabled(FoldstreamTopology.SHORT_SEGMENTS), processor);
            if (window == Window.OWN_STORE) {
                topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(answered(stream)), Serdes.ByteArray(),
                        Serdes.ByteArray()).withCachingDisabled(), processor);
            }
            topology.addSink(eventsSink(stream), events(stream), new ByteArraySerializer(), new ByteArraySerializer(), processor);
            topology.addSink(resultsSink(stream), results(stream), new ByteArraySerializer(), new ByteArraySerializer(), processor);
        }
        return topology;
    }

    private static String eventsSink(String stream) {
        return stream + "-events";
    }

    private static String resultsSink(String stream) {
        return stream + "-results";
    }

    private static String states(String stream) {
        return stream + "-floor-states";
    }

    /** Named as Foldstream's answered-commands store, so that Foldstream's RocksDB options for it apply here too. */
    private static String answered(String stream) {
        return AggregateTopics.of(stream + "-floor").commandIdStore();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(states(stream));
        this.answered = window == Window.OWN_STORE ? context.getStateStore(answered(stream)) : states;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Header idHeader = record.headers().lastHeader(ContractHeaders.COMMAND_ID);
        byte[] commandId = idHeader == null ? new byte[0] : idHeader.value();
        byte[] answeredKey = null;
        if (window != Window.NONE) {
            // A zero byte after the aggregate id: a key no aggregate id (UTF-8 text without NUL) is.
            answeredKey = ByteBuffer.allocate(record.key().length + 1 + commandId.length).put(record.key()).put((byte) 0).put(commandId).array();
            if (answered.get(answeredKey) != null) {
                return; // a duplicate: the bench sends none
            }
        }
        byte[] before = states.get(record.key());
        long version = before == null ? 1 : ByteBuffer.wrap(before).getLong() + 1;
        byte[] snapshot = new byte[SNAPSHOT_BYTES];
        ByteBuffer.wrap(snapshot).putLong(version);
        states.put(record.key(), snapshot);
        byte[] versionText = ContractHeaders.utf8(version);
        Headers eventHeaders = new RecordHeaders()
                .add(ContractHeaders.COMMAND_ID, commandId)
                .add(ContractHeaders.CORRELATION_ID, commandId)
                .add(ContractHeaders.CAUSATION_ID, commandId)
                .add(ContractHeaders.AGGREGATE_VERSION, versionText)
                .add(ContractHeaders.EVENT_ID, commandId)
                .add(ContractHeaders.EVENT_TYPE, EVENT_TYPE)
                .add(ContractHeaders.AGGREGATE_TYPE, aggregateType)
                .add("traceparent", TRACEPARENT);
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), eventHeaders), eventsSink);
        byte[] result = new byte[RESULT_BYTES];
        if (window != Window.NONE) {
            answered.put(answeredKey, ByteBuffer.allocate(Long.BYTES + RESULT_BYTES).putLong(record.timestamp()).put(result).array());
        }
        Headers resultHeaders = new RecordHeaders()
                .add(ContractHeaders.COMMAND_ID, commandId)
                .add(ContractHeaders.CORRELATION_ID, commandId)
                .add(ContractHeaders.CAUSATION_ID, commandId)
                .add("traceparent", TRACEPARENT);
        context.forward(new Record<>(record.key(), result, record.timestamp(), resultHeaders), resultsSink);
    }
}
