package foldstream.worker.projection.runtime;

import foldstream.worker.projection.EventMeta;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.Projection;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.EventReader;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Reads an event record of {@code S-events} as a projection sees it: its metadata from the
 * contract's headers, then, only for the types the projection handles, the record itself. Where the
 * aggregate type is known, the value is read the way every read path reads it (Foldstream's
 * {@link foldstream.worker.runtime.EventReader}: the type's upcasters, Avro aliases of renamed
 * types); then the projection's own {@link EventUpcaster} runs. Both runners and the fixture read
 * with it, so all see the same events.
 */
public final class ProjectionEventReader {

    /** What one event record is to a projection. */
    public sealed interface Read permits Wanted, NotWanted, Unreadable {
        EventMeta meta();
    }

    /** Events it has handlers for (usually one; more or none after upcasting). */
    public record Wanted(EventMeta meta, List<SpecificRecord> events) implements Read {
    }

    /** A type it has no handler for: only its version counts. */
    public record NotWanted(EventMeta meta) implements Read {
    }

    /** Not an event of the contract (no key or version header) or not readable; {@code meta} may be partial. */
    public record Unreadable(EventMeta meta, String reason) implements Read {
    }

    private final AvroWireCodec codec;
    private final EventUpcaster upcaster;
    private final Map<String, Class<? extends SpecificRecord>> wanted = new HashMap<>();
    private final Map<String, EventReader> typeReaders = new HashMap<>();
    private final Set<String> upcastingTypes = new HashSet<>();

    /** For a projection whose followed aggregate types are not known here: events are read by their own names. */
    public ProjectionEventReader(Projection projection, AvroWireCodec codec, EventUpcaster upcaster) {
        this(projection, codec, upcaster, List.of());
    }

    /** @param types aggregate types, whose upcasters apply to the events of those the projection follows */
    public ProjectionEventReader(Projection projection, AvroWireCodec codec, EventUpcaster upcaster, List<? extends AggregateType<?>> types) {
        this.codec = codec;
        this.upcaster = upcaster;
        for (AggregateType<?> type : types) {
            if (projection.follows().contains(type.name())) {
                typeReaders.put(type.name(), new EventReader(type, codec));
                if (!type.upcasts().isEmpty()) {
                    upcastingTypes.add(type.name());
                }
            }
        }
        for (Class<? extends SpecificRecord> type : projection.eventClasses()) {
            wanted.put(SpecificData.get().getSchema(type).getFullName(), type);
        }
    }

    /** The stream name of an events topic: {@code ex_users-events} gives {@code ex_users}. */
    public static String streamOf(String topic) {
        return topic.endsWith("-events") ? topic.substring(0, topic.length() - "-events".length()) : topic;
    }

    /** The metadata alone ({@link NotWanted} or {@link Unreadable}); the value is not decoded. */
    public Read metaOnly(String topic, int partition, long offset, long timestamp, byte[] key, Headers headers) {
        return read(topic, partition, offset, timestamp, key, headers, null, false);
    }

    public Read read(String topic, int partition, long offset, long timestamp, byte[] key, Headers headers, byte[] value) {
        return read(topic, partition, offset, timestamp, key, headers, value, true);
    }

    private Read read(String topic, int partition, long offset, long timestamp, byte[] key, Headers headers, byte[] value,
                      boolean decode) {
        String versionText = ContractHeaders.text(headers, ContractHeaders.AGGREGATE_VERSION);
        String aggregateType = ContractHeaders.text(headers, ContractHeaders.AGGREGATE_TYPE);
        String id = key == null ? null : new String(key, StandardCharsets.UTF_8);
        long version = -1;
        String problem = null;
        try {
            version = Long.parseLong(versionText);
            if (version < 1) {
                problem = "aggregate-version " + version + " is below 1";
            }
        } catch (NumberFormatException e) {
            problem = "aggregate-version '" + versionText + "' is not a number";
        }
        if (id == null || id.isEmpty()) {
            problem = "the record has no key (aggregate id)";
        }
        EventMeta meta = new EventMeta(aggregateType == null ? streamOf(topic) : aggregateType, id, version,
                ContractHeaders.text(headers, ContractHeaders.EVENT_ID), ContractHeaders.text(headers, ContractHeaders.COMMAND_ID),
                ContractHeaders.text(headers, ContractHeaders.CORRELATION_ID), ContractHeaders.text(headers, ContractHeaders.CAUSATION_ID),
                Instant.ofEpochMilli(timestamp), topic, partition, offset);
        if (problem != null) {
            return new Unreadable(meta, problem);
        }
        if (!decode) {
            return new NotWanted(meta);
        }
        String eventType = ContractHeaders.text(headers, ContractHeaders.EVENT_TYPE);
        if (eventType != null && !wanted.containsKey(eventType) && !upcastingTypes.contains(meta.aggregateType())) {
            return new NotWanted(meta);   // not decoded at all: the header says enough (no upcaster could make it wanted)
        }
        EventReader typeReader = typeReaders.get(meta.aggregateType());
        if (typeReader != null) {
            EventReader.Read read = typeReader.read(value);
            if (read instanceof EventReader.Read.Events events) {
                return wantedOf(meta, events.events());
            }
            return new Unreadable(meta, ((EventReader.Read.Unreadable) read).reason());
        }
        Decoded decoded = codec.decode(value, wanted);
        if (decoded instanceof Decoded.Record record) {
            return wantedOf(meta, List.of(record.record()));
        }
        if (decoded instanceof Decoded.UnknownType) {
            return new NotWanted(meta);
        }
        return new Unreadable(meta, ((Decoded.Unreadable) decoded).reason());
    }

    /** The projection's upcaster, then only the events it has handlers for. */
    private Read wantedOf(EventMeta meta, List<SpecificRecord> read) {
        List<SpecificRecord> events = read.stream().flatMap(event -> upcaster.upcast(event, meta).stream())
                .filter(event -> wanted.containsKey(event.getSchema().getFullName())).toList();
        return events.isEmpty() ? new NotWanted(meta) : new Wanted(meta, events);
    }
}
