package foldstream.worker.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Upcast;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import foldstream.worker.serialization.WireFormatException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads one stored event value of a type as the events today's code knows, the one way every read
 * path does it (fold, rebuild, replay, projections, process managers, {@code tail}, fixtures):
 * an event written under a name that an {@link Upcast} claims goes through its upcaster; every other
 * event is read by Avro's schema resolution into its registered class, found by its full name or by
 * one of the class's aliases (a renamed type).
 *
 * <pre>{@code
 * EventReader reader = new EventReader(Accounts.type(), codec);
 * if (reader.read(record.value()) instanceof EventReader.Read.Events events) {
 *     events.events().forEach(event -> state = evolve(state, event));
 * }
 * }</pre>
 */
public final class EventReader {

    /** What one stored event value turned out to be. */
    public sealed interface Read permits Read.Events, Read.Unreadable {

        /** The events it stands for today: usually one; an upcaster may answer none or several. */
        record Events(List<SpecificRecord> events) implements Read {
        }

        /** It cannot be read as an event of the type; the reason names the record and why. */
        record Unreadable(String reason) implements Read {
        }
    }

    private final String typeName;
    private final AvroWireCodec codec;
    private final List<Upcast> upcasts;
    private final Set<Class<? extends SpecificRecord>> eventClasses;
    private final Map<String, Class<? extends SpecificRecord>> byName = new HashMap<>();

    public EventReader(AggregateType<?> type, AvroWireCodec codec) {
        this.typeName = type.name();
        this.codec = codec;
        this.upcasts = type.upcasts();
        this.eventClasses = type.events();
        for (Class<? extends SpecificRecord> event : type.events()) {
            Schema schema = SpecificData.get().getSchema(event);
            byName.put(schema.getFullName(), event);
            // A renamed type lists its old names as aliases; Avro resolves the old writer schema into it.
            for (String alias : schema.getAliases()) {
                byName.putIfAbsent(alias, event);
            }
        }
    }

    /**
     * @throws foldstream.worker.serialization.SchemaRegistryUnavailableException when the registry
     *     cannot be asked for the writer schema: the caller waits and reads again
     */
    public Read read(byte[] value) {
        if (!upcasts.isEmpty()) {
            Schema writer;
            try {
                writer = codec.writerSchemaOf(value);
            } catch (WireFormatException e) {
                return new Read.Unreadable(e.getMessage());
            }
            for (Upcast upcast : upcasts) {
                if (upcast.appliesTo(writer)) {
                    return upcast(upcast, writer, value);
                }
            }
        }
        Decoded decoded = codec.decode(value, byName);
        if (decoded instanceof Decoded.Record record) {
            return new Read.Events(List.of(record.record()));
        }
        if (decoded instanceof Decoded.UnknownType unknown) {
            return new Read.Unreadable(typeName + " has no event type " + unknown.fullName()
                    + " (schema id " + unknown.schemaId() + ") and no upcaster for it");
        }
        return new Read.Unreadable(((Decoded.Unreadable) decoded).reason());
    }

    private Read upcast(Upcast upcast, Schema writer, byte[] value) {
        GenericRecord old;
        try {
            old = codec.decodeGeneric(value, writer);
        } catch (WireFormatException e) {
            return new Read.Unreadable(e.getMessage());
        }
        List<SpecificRecord> events;
        try {
            events = List.copyOf(upcast.upcaster().upcast(old));
        } catch (RuntimeException e) {
            return new Read.Unreadable("the upcaster of " + writer.getFullName() + " failed: " + e);
        }
        for (SpecificRecord event : events) {
            if (!eventClasses.contains(event.getClass())) {
                return new Read.Unreadable("the upcaster of " + writer.getFullName() + " answered a "
                        + event.getClass().getName() + ", which is not an event type of " + typeName);
            }
        }
        return new Read.Events(events);
    }
}
