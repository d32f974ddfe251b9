package foldstream.topology;

import foldstream.protocol.AggregateSnapshot;
import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlResult;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.observe.WorkerMetrics;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.EventLog;
import foldstream.worker.runtime.FoldstreamTopology;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A Foldstream worker inside {@code TopologyTestDriver}, with an in-memory registry and a clock the
 * test controls: send commands, read back results, events and dead letters, decoded.
 */
final class Worker implements AutoCloseable {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    final InMemorySchemaRegistry registry;
    final AvroWireCodec codec;
    final MutableClock clock = new MutableClock(START);
    final TopologyTestDriver driver;
    private final Path stateDir;
    private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
    private final Map<String, TestInputTopic<byte[], byte[]>> controls = new HashMap<>();
    private final Map<String, TestOutputTopic<byte[], byte[]>> outputs = new HashMap<>();
    private final SnapshotCodec snapshots = new SnapshotCodec();

    Worker(List<? extends AggregateType<?>> types) {
        this(types, ProcessingOptions.DEFAULTS);
    }

    Worker(List<? extends AggregateType<?>> types, ProcessingOptions options) {
        this(types, options, (config, topic, partition, each) -> { }, new InMemorySchemaRegistry());
    }

    /** With the event log that pure event sourcing rebuilds from, and a registry shared with an earlier worker. */
    Worker(List<? extends AggregateType<?>> types, ProcessingOptions options, EventLog eventLog, InMemorySchemaRegistry registry) {
        this(types, options, eventLog, registry, Map.of(), WorkerMetrics.none());
    }

    /** With Kafka Streams properties added to the defaults, as a worker's {@code --property} gives them. */
    Worker(List<? extends AggregateType<?>> types, Map<String, Object> properties) {
        this(types, ProcessingOptions.DEFAULTS, (config, topic, partition, each) -> { }, new InMemorySchemaRegistry(), properties,
                WorkerMetrics.none());
    }

    /** With the meters the processors report to. */
    Worker(List<? extends AggregateType<?>> types, ProcessingOptions options, EventLog eventLog, InMemorySchemaRegistry registry,
           WorkerMetrics metrics) {
        this(types, options, eventLog, registry, Map.of(), metrics);
    }

    private Worker(List<? extends AggregateType<?>> types, ProcessingOptions options, EventLog eventLog,
                   InMemorySchemaRegistry registry, Map<String, Object> properties, WorkerMetrics metrics) {
        this.registry = registry;
        this.codec = new AvroWireCodec(registry, true);
        Properties props = new Properties();
        props.putAll(StreamsSettings.defaults("topology-test", "unused:9092"));
        props.putAll(properties);
        // A directory of its own: TopologyTestDriver's default (<tmpdir>/kafka-streams) is shared with every other run on the machine.
        stateDir = stateDir();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(FoldstreamTopology.build(types, codec, options, clock, eventLog, metrics), props, START);
    }

    private static Path stateDir() {
        try {
            return Files.createTempDirectory("foldstream-ttd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command with the given headers (name, value pairs). */
    void send(String type, String aggregateId, SpecificRecord command, String... headers) {
        String topic = AggregateTopics.of(type).commands();
        sendRaw(type, aggregateId == null ? null : aggregateId.getBytes(StandardCharsets.UTF_8),
                codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, command.getSchema()), command), headers);
    }

    void sendRaw(String type, byte[] key, byte[] value, String... headers) {
        Headers h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        input(type).pipeInput(new TestRecord<>(key, value, h, clock.instant()));
    }

    /** A record as a producer would send it, byte for byte. */
    void sendRecord(String type, TestRecord<byte[], byte[]> record) {
        input(type).pipeInput(record);
    }

    private TestInputTopic<byte[], byte[]> input(String type) {
        return inputs.computeIfAbsent(type, t -> driver.createInputTopic(AggregateTopics.of(t).commands(),
                new ByteArraySerializer(), new ByteArraySerializer()));
    }

    private List<TestRecord<byte[], byte[]>> drain(String topic) {
        return outputs.computeIfAbsent(topic, t -> driver.createOutputTopic(t, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
                .readRecordsToList();
    }

    /** A replay instruction on {@code S-control}, with the given headers (name, value pairs). */
    void replay(String type, String... headers) {
        String topic = AggregateTopics.of(type).control();
        ControlInstruction instruction = new ControlInstruction(ControlAction.REPLAY);
        control(type, codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topic, instruction.getSchema()), instruction), headers);
    }

    /** Any value on {@code S-control}, keyed by the partition (0), as the CLI writes it. */
    void control(String type, byte[] value, String... headers) {
        Headers h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        controls.computeIfAbsent(type, t -> driver.createInputTopic(AggregateTopics.of(t).control(),
                new ByteArraySerializer(), new ByteArraySerializer()))
                .pipeInput(new TestRecord<>("0".getBytes(StandardCharsets.UTF_8), value, h, clock.instant()));
    }

    /** Control results written since the last call. */
    List<ControlResult> controlResults(String type) {
        List<ControlResult> results = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : drain(AggregateTopics.of(type).controlResults())) {
            results.add(codec.decode(r.value(), ControlResult.class));
        }
        return results;
    }

    /** Lets the wall clock reach the processor's next tick, where a rebuild takes its next step. */
    void tick() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    /** Results written since the last call. */
    List<Result> results(String type) {
        List<Result> results = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : drain(AggregateTopics.of(type).results())) {
            results.add(new Result(key(r), codec.decode(r.value(), CommandResult.class), headers(r), r.value()));
        }
        return results;
    }

    /** The only result written since the last call. */
    CommandResult result(String type) {
        List<Result> results = results(type);
        if (results.size() != 1) {
            throw new AssertionError("expected one result, got " + results);
        }
        return results.get(0).result();
    }

    /** Events written since the last call. */
    List<Event> events(String type) {
        List<Event> events = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : drain(AggregateTopics.of(type).events())) {
            events.add(new Event(key(r), decodeAny(r.value()), headers(r), r.value()));
        }
        return events;
    }

    /** Records written to a topic since the last call, raw. */
    List<TestRecord<byte[], byte[]>> raw(String topic) {
        return drain(topic);
    }

    /** The stored snapshot of an aggregate, or null. */
    <S extends SpecificRecord> Stored<S> snapshot(AggregateType<S> type, String id) {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(AggregateTopics.of(type.name()).snapshotStore());
        byte[] bytes = store.get(id);
        if (bytes == null) {
            return null;
        }
        var snapshot = snapshots.decode(bytes, codec, type.stateClass());
        return new Stored<>(snapshot.version(), snapshot.state(), snapshots.decode(bytes));
    }

    private SpecificRecord decodeAny(byte[] bytes) {
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        String name = registry.schemaById(id).getFullName();
        try {
            @SuppressWarnings("unchecked")
            Class<? extends SpecificRecord> c = (Class<? extends SpecificRecord>) Class.forName(name);
            return codec.decode(bytes, c);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static String key(TestRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    static Map<String, String> headers(TestRecord<byte[], byte[]> r) {
        Map<String, String> map = new LinkedHashMap<>();
        r.headers().forEach(h -> {
            if (map.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)) != null) {
                throw new AssertionError("header " + h.key() + " appears twice on " + r);
            }
        });
        return map;
    }

    static String header(Map<String, String> headers, String name) {
        return headers.get(name);
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            // The driver empties its task directories but leaves the directory itself; thousands of tests leave thousands.
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Result(String key, CommandResult result, Map<String, String> headers, byte[] bytes) {
    }

    record Event(String key, SpecificRecord event, Map<String, String> headers, byte[] bytes) {
        long version() {
            return Long.parseLong(headers.get(ContractHeaders.AGGREGATE_VERSION));
        }
    }

    record Stored<S>(long version, S state, AggregateSnapshot snapshot) {
    }
}
