package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The Kafka adapters over the codec, with the in-memory registry (no Kafka, no HTTP here). */
class WireFormatSerdeTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry, true);

    @Test
    void namesSubjectsAsTheWireContractSaysForEachTopic() {
        try (WireFormatSerializer<SpecificRecord> serializer = new WireFormatSerializer<>(codec, null)) {
            serializer.serialize("ex_users-events", new UserCreated("a@example.org"));
            serializer.serialize("ex_users-results", new CommandResult("c1", "ex_users", "u1", Outcome.ACCEPTED, 1L, 1, null, null,
                    List.of(), Instant.EPOCH));
        }

        assertThat(registry.latest("ex_users-events-foldstream.examples.users.UserCreated").schema()).isEqualTo(UserCreated.getClassSchema());
        assertThat(registry.latest("ex_users-results-value").schema()).isEqualTo(CommandResult.getClassSchema());
    }

    @Test
    void readsEachRecordOfATopicIntoItsOwnClass() {
        Serde<SpecificRecord> serde = new WireFormatSerde<>(codec, List.of(UserCreated.class, ProfileSet.class));

        byte[] created = serde.serializer().serialize("ex_users-events", new UserCreated("a@example.org"));
        byte[] named = serde.serializer().serialize("ex_users-events", new ProfileSet("Ada King"));

        assertThat(serde.deserializer().deserialize("ex_users-events", created)).isEqualTo(new UserCreated("a@example.org"));
        assertThat(serde.deserializer().deserialize("ex_users-events", named)).isEqualTo(new ProfileSet("Ada King"));
    }

    @Test
    void aTombstoneStaysNull() {
        Serde<SpecificRecord> serde = new WireFormatSerde<>(codec, List.of(UserCreated.class));

        assertThat(serde.serializer().serialize("ex_users-state", null)).isNull();
        assertThat(serde.deserializer().deserialize("ex_users-state", null)).isNull();
    }

    @Test
    void aRecordTypeTheReaderDoesNotAcceptIsAnErrorNamingTopicAndType() {
        byte[] counter = new WireFormatSerializer<SpecificRecord>(codec, null).serialize("ex_users-events", new Incremented(1, 1L));
        WireFormatDeserializer<SpecificRecord> users = new WireFormatDeserializer<>(codec, List.of(UserCreated.class));

        assertThatThrownBy(() -> users.deserialize("ex_users-events", counter))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("foldstream.examples.counters.Incremented")
                .hasMessageContaining("ex_users-events");
        assertThatThrownBy(() -> users.deserialize("ex_users-events", new byte[] {1, 2, 3}))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("unreadable value on topic 'ex_users-events'");
    }

    @Test
    void withoutAutoRegistrationWritingNeedsTheLatestVersionToBeThisSchema() {
        registry.register("ex_users-events-foldstream.examples.users.UserCreated",
                new org.apache.avro.Schema.Parser().parse("{\"type\": \"record\", \"name\": \"UserCreated\", "
                        + "\"namespace\": \"foldstream.examples.users\", \"fields\": [{\"name\": \"email\", \"type\": \"string\"}, "
                        + "{\"name\": \"source\", \"type\": \"string\", \"default\": \"web\"}]}"));
        WireFormatSerializer<SpecificRecord> strict = new WireFormatSerializer<>(new AvroWireCodec(registry, false), null);

        assertThatThrownBy(() -> strict.serialize("ex_users-events", new UserCreated("a@example.org")))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("auto-registration is off")
                .hasMessageContaining("ex_users-events-foldstream.examples.users.UserCreated");
    }

    @Test
    void keysAreRefusedAndAnUnconfiguredSerdeSaysWhatIsMissing() {
        assertThatThrownBy(() -> new WireFormatSerde<SpecificRecord>().configure(Map.of(WireFormatConfig.REGISTRY_URL, "http://r"), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("StringSerializer");
        assertThatThrownBy(() -> new WireFormatSerde<SpecificRecord>().serializer())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(WireFormatConfig.REGISTRY_URL);
        assertThatThrownBy(() -> new WireFormatDeserializer<SpecificRecord>().configure(Map.of(WireFormatConfig.REGISTRY_URL, "http://r"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WireFormatConfig.READER_TYPES);
    }
}
