package foldstream.worker.process.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.process.ProcessType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology of one process: a source on the followed types' {@code S-events} and the
 * target types' {@code S-results}; the {@link ProcessRouter}, which keys each input by instance id;
 * a repartition topic, so that all inputs of an instance reach one task; the {@link ProcessRunner} with
 * its instance and due stores; and a sink on each target type's {@code S-commands}.
 *
 * <pre>{@code
 * Topology topology = ProcessTopology.build(TransferProcess.type(), ExampleTypes.all(), codec, ProcessOptions.DEFAULTS, Clock.systemUTC());
 * }</pre>
 */
public final class ProcessTopology {

    private ProcessTopology() {
    }

    /** The topics a process reads: its followed types' events, then its target types' results. */
    public static List<String> inputs(ProcessType<?> type) {
        List<String> topics = new ArrayList<>();
        type.follows().keySet().forEach(t -> topics.add(AggregateTopics.of(t).events()));
        type.sends().keySet().forEach(t -> topics.add(AggregateTopics.of(t).results()));
        return topics;
    }

    /**
     * @param types the registered aggregate types: those the process follows are read with their
     *     upcasters ({@link foldstream.worker.runtime.EventReader})
     * @throws IllegalArgumentException when the process follows a type that is not among them
     */
    public static <S extends SpecificRecord> Topology build(ProcessType<S> type, List<? extends AggregateType<?>> types,
                                                            AvroWireCodec codec, ProcessOptions options, Clock clock) {
        FollowedEvents followed = new FollowedEvents(type, types, codec);
        String name = type.name();
        ProcessStores stores = ProcessStores.of(name);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(stores.instances()),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(stores.due()),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled());
        KStream<byte[], byte[]> inputs = builder.stream(inputs(type),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"));
        KStream<byte[], byte[]> commands = inputs
                .process(() -> new ProcessRouter(type, followed), Named.as(name + "-route"))
                .repartition(Repartitioned.<String, byte[]>as(stores.inputs()).withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray()))
                .process(() -> new ProcessRunner<>(type, followed, codec, options, clock), Named.as(name + "-runner"),
                        stores.instances(), stores.due());
        for (String target : type.sends().keySet()) {
            String topic = AggregateTopics.of(target).commands();
            commands.to(topic, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(ProcessRunner.sinkName(name, topic)));
        }
        return builder.build();
    }
}
