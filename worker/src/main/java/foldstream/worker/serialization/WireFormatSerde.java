package foldstream.worker.serialization;

import java.util.Collection;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link WireFormatSerializer} and {@link WireFormatDeserializer} as one Kafka Streams {@link Serde},
 * sharing one codec (so one cache of ids and schemas).
 *
 * <pre>{@code
 * Serde<SpecificRecord> events = new WireFormatSerde<>(codec, ContractSchemas.recordTypesOf(users, "ex_users-events"));
 * builder.stream("ex_users-events", Consumed.with(Serdes.String(), events));
 * // or from configuration: default.value.serde=foldstream.worker.serialization.WireFormatSerde
 * //   with schema.registry.url and foldstream.reader.types
 * }</pre>
 *
 * @param <T> the common type of the records
 */
public final class WireFormatSerde<T extends SpecificRecord> implements Serde<T> {

    private WireFormatSerializer<T> serializer;
    private WireFormatDeserializer<T> deserializer;
    private SchemaRegistryClient ownedRegistry;

    /** For Kafka Streams to create from a class name; {@link #configure} must be called before use. */
    public WireFormatSerde() {
    }

    /** Writes with the wire contract's subject strategy per topic; reads any of {@code readTypes}. */
    public WireFormatSerde(AvroWireCodec codec, Collection<? extends Class<? extends T>> readTypes) {
        this.serializer = new WireFormatSerializer<>(codec, null);
        this.deserializer = new WireFormatDeserializer<>(codec, readTypes);
    }

    @Override
    @SuppressWarnings("unchecked") // the configured reader classes are the T of whoever named them
    public void configure(Map<String, ?> configs, boolean isKey) {
        WireFormatSerializer.refuseKeys(isKey);
        if (serializer != null) {
            return;
        }
        WireFormatConfig config = WireFormatConfig.from(configs);
        if (config.readerTypes().isEmpty()) {
            throw new ConfigException(WireFormatConfig.READER_TYPES, null, "name the record classes to read into");
        }
        ownedRegistry = new HttpSchemaRegistryClient(config.registry());
        AvroWireCodec codec = new AvroWireCodec(ownedRegistry, config.autoRegister());
        serializer = new WireFormatSerializer<>(codec, config.strategy());
        deserializer = new WireFormatDeserializer<>(codec, (Collection<Class<? extends T>>) (Collection<?>) config.readerTypes());
    }

    @Override
    public Serializer<T> serializer() {
        return configured(serializer);
    }

    @Override
    public Deserializer<T> deserializer() {
        return configured(deserializer);
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }

    private <X> X configured(X part) {
        if (part == null) {
            throw new IllegalStateException("WireFormatSerde is not configured: pass " + WireFormatConfig.REGISTRY_URL
                    + " and " + WireFormatConfig.READER_TYPES + " in the configuration or construct it with a codec");
        }
        return part;
    }
}
