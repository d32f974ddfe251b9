package foldstream.worker.serialization;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A Kafka {@link Deserializer} of values in the Confluent wire format into generated Avro records,
 * through {@link AvroWireCodec}: the writer schema is fetched by id and resolved into the generated
 * class, so values written with an older or newer compatible schema read fine. A topic that carries
 * several record types (commands, events) is read with all of them; the writer schema's full name
 * picks the class.
 *
 * <pre>{@code
 * Deserializer<SpecificRecord> events = new WireFormatDeserializer<>(codec,
 *         ContractSchemas.recordTypesOf(users, AggregateTopics.of("ex_users").events()));
 * Deserializer<CommandResult> results = new WireFormatDeserializer<>(codec, List.of(CommandResult.class));
 * }</pre>
 *
 * <p>Created by Kafka from its class name, it reads the classes listed under
 * {@link WireFormatConfig#READER_TYPES}. Bytes that are not a readable value, or a record type not
 * accepted, throw {@link WireFormatException}; an unreachable registry throws
 * {@link SchemaRegistryUnavailableException}. {@code null} (a tombstone) reads as {@code null}.
 *
 * @param <T> the common type of the accepted records
 */
public final class WireFormatDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private AvroWireCodec codec;
    private Map<String, Class<? extends SpecificRecord>> types;
    private SchemaRegistryClient ownedRegistry;

    /** For Kafka to create from a class name; {@link #configure} must be called before use. */
    public WireFormatDeserializer() {
    }

    /** Reads any of {@code types}, chosen by the writer schema's full name. */
    public WireFormatDeserializer(AvroWireCodec codec, Collection<? extends Class<? extends T>> types) {
        this.codec = codec;
        this.types = byFullName(List.copyOf(types));
    }

    /** Builds the registry client and codec from {@link WireFormatConfig} keys, unless a codec was given. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        WireFormatSerializer.refuseKeys(isKey);
        if (codec != null) {
            return;
        }
        WireFormatConfig config = WireFormatConfig.from(configs);
        if (config.readerTypes().isEmpty()) {
            throw new ConfigException(WireFormatConfig.READER_TYPES, null, "name the record classes to read into");
        }
        ownedRegistry = new HttpSchemaRegistryClient(config.registry());
        codec = new AvroWireCodec(ownedRegistry, config.autoRegister());
        types = byFullName(config.readerTypes());
    }

    @Override
    @SuppressWarnings("unchecked") // every accepted class is a T: the constructor or the configuration said so
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("WireFormatDeserializer is not configured: pass " + WireFormatConfig.REGISTRY_URL
                    + " and " + WireFormatConfig.READER_TYPES + " in the client's configuration or construct it with a codec");
        }
        Decoded decoded = codec.decode(data, types);
        if (decoded instanceof Decoded.Record record) {
            return (T) record.record();
        }
        if (decoded instanceof Decoded.UnknownType unknown) {
            throw new WireFormatException("a " + unknown.fullName() + " (schema id " + unknown.schemaId() + ") on topic '"
                    + topic + "' is not one of the accepted types " + types.keySet());
        }
        throw new WireFormatException("unreadable value on topic '" + topic + "': " + ((Decoded.Unreadable) decoded).reason());
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }

    private static Map<String, Class<? extends SpecificRecord>> byFullName(List<? extends Class<? extends SpecificRecord>> classes) {
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("at least one record class to read into is needed");
        }
        Map<String, Class<? extends SpecificRecord>> byName = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> type : classes) {
            byName.put(SpecificData.get().getSchema(type).getFullName(), type);
        }
        return Map.copyOf(byName);
    }
}
