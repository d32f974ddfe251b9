package foldstream.worker.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.observe.WorkerMetrics;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the Kafka Streams topology of a worker: for each aggregate type a source on
 * {@code S-commands} and one on {@code S-control}, one {@link CommandProcessor} with its snapshot,
 * command-id and held-commands stores, and sinks on {@code S-events}, {@code S-results}, {@code S-dlq},
 * {@code S-control-results} and, when published, {@code S-state}. Each type
 * is its own sub-topology, so types scale and fail over independently.
 *
 * <pre>{@code
 * Topology topology = FoldstreamTopology.build(List.of(users, accounts), codec, ProcessingOptions.DEFAULTS, Clock.systemUTC());
 * }</pre>
 */
public final class FoldstreamTopology {

    /**
     * The settings, beyond Kafka Streams' own (compaction), of the changelogs whose records later
     * ones supersede (snapshots, held commands): segments that close after 4 MiB or an hour. A
     * takeover restores every record a changelog holds, and Kafka compacts only closed segments, so
     * with Kafka's defaults (1 GiB or 7 days) a new owner read a snapshot for every command of up to
     * a week; with these it reads about one per aggregate plus the open segment and what the
     * cleaner has not reached yet (README, "Choices where the contract is silent"). 16 MiB left a
     * million commands' snapshots, written just before a takeover, all in the open segments, and a
     * new owner read every one of them; with 4 MiB it read 18 to 60 % of them (docs/performance.md,
     * the fourteenth round). Smaller segments cost files: the broker keeps a partition's compacted
     * snapshots in segments of this size. They apply when Kafka Streams creates the changelog; one
     * that exists keeps its settings until altered. Public for the benchmark's contract floor,
     * whose state changelog has them too.
     *
     * <pre>{@code
     * builder.withLoggingEnabled(FoldstreamTopology.SHORT_SEGMENTS);
     * }</pre>
     */
    public static final Map<String, String> SHORT_SEGMENTS = Map.of(
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024),
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(60 * 60 * 1000L));

    private FoldstreamTopology() {
    }

    public static Topology build(List<? extends AggregateType<?>> types, AvroWireCodec codec,
                                 ProcessingOptions options, Clock clock) {
        return build(types, codec, options, clock, new KafkaEventLog());
    }

    /** As above, with the event log pure event sourcing rebuilds from (tests pass their own). */
    public static Topology build(List<? extends AggregateType<?>> types, AvroWireCodec codec,
                                 ProcessingOptions options, Clock clock, EventLog eventLog) {
        return build(types, codec, options, clock, eventLog, new RebuildBoard(), WorkerMetrics.none());
    }

    /** As above, with the meters every processor reports to (the worker's; docs/observability.md). */
    public static Topology build(List<? extends AggregateType<?>> types, AvroWireCodec codec,
                                 ProcessingOptions options, Clock clock, EventLog eventLog, WorkerMetrics metrics) {
        return build(types, codec, options, clock, eventLog, new RebuildBoard(), metrics);
    }

    /**
     * As above, reporting the progress of rebuilds from {@code S-events} on {@code rebuildBoard}, with
     * the meters every processor reports to (the worker's; docs/observability.md).
     */
    public static Topology build(List<? extends AggregateType<?>> types, AvroWireCodec codec,
                                 ProcessingOptions options, Clock clock, EventLog eventLog, RebuildBoard rebuildBoard,
                                 WorkerMetrics metrics) {
        Set<String> names = new HashSet<>();
        Topology topology = new Topology();
        for (AggregateType<?> type : types) {
            if (!names.add(type.name())) {
                throw new IllegalArgumentException("aggregate type " + type.name() + " is registered twice");
            }
            add(topology, type, codec, options, clock, eventLog, rebuildBoard, metrics);
        }
        return topology;
    }

    private static <S extends org.apache.avro.specific.SpecificRecord> void add(
            Topology topology, AggregateType<S> type, AvroWireCodec codec, ProcessingOptions options, Clock clock,
            EventLog eventLog, RebuildBoard rebuildBoard, WorkerMetrics metrics) {
        AggregateTopics topics = AggregateTopics.of(type.name());
        String source = topics.commands() + "-source";
        String processor = type.name() + "-processor";
        topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.commands());
        // Control instructions come in through a source of their own into the same processor: one
        // sub-topology, so S-control partition p goes to the task of S-commands partition p.
        String controlSource = topics.control() + "-source";
        topology.addSource(controlSource, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.control());
        ResultPartitioner resultPartitioner = new ResultPartitioner();
        topology.addProcessor(processor, () -> new CommandProcessor<>(type, codec, options, clock, eventLog, rebuildBoard,
                resultPartitioner, metrics), source, controlSource);
        topology.addStateStore(snapshotStore(type, topics), processor);
        topology.addStateStore(commandIdStore(topics), processor);
        topology.addStateStore(Stores.keyValueStoreBuilder(TaskStores.persistent(topics.heldStore()),
                Serdes.Long(), Serdes.ByteArray()).withLoggingEnabled(SHORT_SEGMENTS), processor);
        topology.addStateStore(CommitCounter.builder(topics.commitCounter()), processor);
        for (String output : topics.all(type.publishesState())) {
            if (output.equals(topics.controlResults())) {
                topology.addSink(CommandProcessor.sinkName(output), output, new ByteArraySerializer(), new ByteArraySerializer(),
                        ControlInstructions.PARTITIONER, processor);
            } else if (output.equals(topics.results()) || output.equals(topics.dlq())) {
                topology.addSink(CommandProcessor.sinkName(output), output,
                        new ByteArraySerializer(), new ByteArraySerializer(), resultPartitioner, processor);
            } else if (!output.equals(topics.commands()) && !output.equals(topics.control())) {
                topology.addSink(CommandProcessor.sinkName(output), output,
                        new ByteArraySerializer(), new ByteArraySerializer(), processor);
            }
        }
    }

    /**
     * Without Kafka Streams' record cache: the hot-aggregate cache in front of the store already keeps
     * hot states deserialized, and the record cache's sorted map cost more per command (about a fifth
     * of the stream thread in a profile) than the changelog writes it saved, even with 80 % of the
     * commands on 1 % of the aggregates (docs/performance.md).
     */
    private static StoreBuilder<KeyValueStore<String, byte[]>> snapshotStore(AggregateType<?> type, AggregateTopics topics) {
        StoreBuilder<KeyValueStore<String, byte[]>> builder = Stores.keyValueStoreBuilder(
                TaskStores.persistent(topics.snapshotStore()), Serdes.String(), Serdes.ByteArray());
        // In pure event sourcing the events are the record of truth and the store is rebuilt from them.
        return type.storageMode() == StorageMode.EVENTS_ONLY ? builder.withLoggingDisabled() : builder.withLoggingEnabled(SHORT_SEGMENTS);
    }

    /** Written once per command and read once: Kafka Streams' record cache would only add work. */
    private static StoreBuilder<KeyValueStore<String, byte[]>> commandIdStore(AggregateTopics topics) {
        return Stores.keyValueStoreBuilder(TaskStores.persistent(topics.commandIdStore()), Serdes.String(), Serdes.ByteArray());
    }
}
