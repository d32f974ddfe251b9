package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.users.ProfileSet;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.WireFormatDeserializer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An event evolves from version 1 (the generated {@link ProfileSet}: a name) to version 2 (a
 * nickname added, with a default), and each side reads what the other wrote, through the real
 * registry. Version 2 exists only as a schema parsed here, read and written as a GenericRecord.
 */
@ExtendWith(KafkaStack.class)
class SchemaEvolutionIT {

    private static final Schema VERSION_2 = new Schema.Parser().parse("""
            {"type": "record", "name": "ProfileSet", "namespace": "foldstream.examples.users",
             "fields": [
               {"name": "name", "type": "string"},
               {"name": "nickname", "type": "string", "default": "(none)"}
             ]}""");

    private static SchemaRegistryClient registry;

    @BeforeAll
    static void connect(KafkaStack.Endpoints stack) {
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    @Test
    void version2ReadsWhatVersion1WroteWithTheDefaultForTheNewField() {
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        String subject = "evo_a-events-foldstream.examples.users.ProfileSet";

        byte[] written = codec.encode(subject, new ProfileSet("Ada Lovelace"));
        GenericRecord read = new AvroWireCodec(registry, true).decodeGeneric(written, VERSION_2);

        assertThat(read.get("name").toString()).isEqualTo("Ada Lovelace");
        assertThat(read.get("nickname").toString()).isEqualTo("(none)");
    }

    @Test
    void version1ReadsWhatVersion2WroteAndSkipsTheNewField() {
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        String topic = "evo_b-events";
        String subject = topic + "-foldstream.examples.users.ProfileSet";
        codec.encode(subject, new ProfileSet("registered first as version 1"));
        GenericRecord newer = new GenericData.Record(VERSION_2);
        newer.put("name", "Grace Hopper");
        newer.put("nickname", "Amazing Grace");

        byte[] written = codec.encode(subject, newer);
        ProfileSet read;
        try (WireFormatDeserializer<ProfileSet> olderCode = new WireFormatDeserializer<>(new AvroWireCodec(registry, true), List.of(ProfileSet.class))) {
            read = olderCode.deserialize(topic, written);
        }

        assertThat(read).isEqualTo(new ProfileSet("Grace Hopper"));
        assertThat(registry.latest(subject).version()).as("version 2 was registered under BACKWARD").isEqualTo(2);
        assertThat(registry.latest(subject).schema()).isEqualTo(VERSION_2);
    }
}
