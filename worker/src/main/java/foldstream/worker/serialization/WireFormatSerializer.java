package foldstream.worker.serialization;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serializer} of generated Avro records into the Confluent wire format, through
 * {@link AvroWireCodec}. The subject follows {@link SubjectNameStrategy}: by default the wire
 * contract's choice for the topic (topic-record-name for {@code S-commands} and {@code S-events},
 * topic-name for the rest).
 *
 * <pre>{@code
 * // Kafka creates it from the class name and passes its configuration:
 * props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, WireFormatSerializer.class);
 * props.put(WireFormatConfig.REGISTRY_URL, "http://localhost:8081");
 * // or, sharing one codec:
 * Serializer<SpecificRecord> serializer = new WireFormatSerializer<>(codec, null);
 * }</pre>
 *
 * <p>Values only: keys in Foldstream's contract are UTF-8 aggregate ids. A {@code null} record is
 * written as {@code null} (a tombstone).
 *
 * @param <T> the records written
 */
public final class WireFormatSerializer<T extends SpecificRecord> implements Serializer<T> {

    private AvroWireCodec codec;
    private SubjectNameStrategy strategy;
    private SchemaRegistryClient ownedRegistry;

    /** For Kafka to create from a class name; {@link #configure} must be called before use. */
    public WireFormatSerializer() {
    }

    /**
     * @param strategy the subject strategy for every topic, or {@code null} for the contract's per topic
     */
    public WireFormatSerializer(AvroWireCodec codec, SubjectNameStrategy strategy) {
        this.codec = codec;
        this.strategy = strategy;
    }

    /** Builds the registry client and codec from {@link WireFormatConfig} keys, unless a codec was given. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        refuseKeys(isKey);
        if (codec != null) {
            return;
        }
        WireFormatConfig config = WireFormatConfig.from(configs);
        ownedRegistry = new HttpSchemaRegistryClient(config.registry());
        codec = new AvroWireCodec(ownedRegistry, config.autoRegister());
        strategy = config.strategy();
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("WireFormatSerializer is not configured: pass " + WireFormatConfig.REGISTRY_URL
                    + " in the client's configuration or construct it with a codec");
        }
        SubjectNameStrategy naming = strategy != null ? strategy : SubjectNameStrategy.forTopic(topic);
        return codec.encode(naming.subject(topic, record.getSchema()), record);
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }

    static void refuseKeys(boolean isKey) {
        if (isKey) {
            throw new ConfigException("Foldstream's keys are UTF-8 aggregate ids: use StringSerializer/StringDeserializer "
                    + "for keys, the wire format serdes for values");
        }
    }
}
