package foldstream.worker.process.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.process.ProcessType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.EventReader;
import foldstream.worker.serialization.AvroWireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the events a process follows the way every read path does ({@link EventReader}: upcasters,
 * renamed types), keeping those the process follows. One stored event may stand for several today
 * (an upcaster's split); each keeps its index among them, so the router and the runner agree on it.
 */
final class FollowedEvents {

    /** A followed event and its index among the events its stored value stands for. */
    record Followed(SpecificRecord event, int index, int of) {
    }

    private record Source(String aggregateType, EventReader reader, Set<Class<? extends SpecificRecord>> followed) {
    }

    private final Map<String, Source> byTopic = new HashMap<>();

    /**
     * @param types the registered aggregate types; every type the process follows must be among them
     * @throws IllegalArgumentException naming a followed type that is not registered
     */
    FollowedEvents(ProcessType<?> process, List<? extends AggregateType<?>> types, AvroWireCodec codec) {
        process.follows().forEach((name, events) -> {
            AggregateType<?> type = types.stream().filter(t -> t.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("process " + process.name() + " follows " + name
                            + ", which is not a registered aggregate type"));
            byTopic.put(AggregateTopics.of(name).events(), new Source(name, new EventReader(type, codec), events));
        });
    }

    boolean follows(String topic) {
        return byTopic.containsKey(topic);
    }

    String aggregateType(String topic) {
        return byTopic.get(topic).aggregateType();
    }

    /**
     * The followed events a stored value stands for; none when it is of a type the process does not follow.
     *
     * @throws IllegalArgumentException with the reason when the value cannot be read
     */
    List<Followed> read(String topic, byte[] value) {
        Source source = byTopic.get(topic);
        EventReader.Read read = source.reader().read(value);
        if (read instanceof EventReader.Read.Unreadable unreadable) {
            throw new IllegalArgumentException(unreadable.reason());
        }
        List<SpecificRecord> events = ((EventReader.Read.Events) read).events();
        List<Followed> followed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (source.followed().contains(events.get(i).getClass())) {
                followed.add(new Followed(events.get(i), i, events.size()));
            }
        }
        return followed;
    }
}
