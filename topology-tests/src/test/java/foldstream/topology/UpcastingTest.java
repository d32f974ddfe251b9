package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.test.ledger.Credit;
import foldstream.test.ledger.Credited;
import foldstream.test.ledger.LedgerState;
import foldstream.test.ledger.Reversed;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.EventReader;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.CompatibilityLevel;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.testing.AggregateFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Events written under old schemas read as today's events: Avro's resolution first, then upcasters. */
class UpcastingTest {

    private final AggregateType<LedgerState> ledger = Ledger.type("ledger");
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final EventReader reader = new EventReader(ledger, codec);

    @Test
    void aRenamedTypeIsReadThroughItsAliasAndAnAddedFieldTakesItsDefault() {
        assertThat(read(record(Ledger.DEPOSITED_V1, "cents", 250L))).containsExactly(new Credited(250L, ""));
    }

    @Test
    void aWidenedNumberAndARemovedFieldNeedNoCode() {
        Schema reversedV1 = new Schema.Parser().parse("""
                {"type": "record", "name": "Reversed", "namespace": "foldstream.test.ledger",
                 "fields": [{"name": "cents", "type": "int"}, {"name": "reason", "type": "string", "default": ""}]}""");
        GenericRecord old = new GenericData.Record(reversedV1);
        old.put("cents", 40);
        old.put("reason", "typo");

        assertThat(read(old)).containsExactly(new Reversed(40L));
    }

    @Test
    void aTypeThatIsGoneIsUpcastIntoTodaysEvents() {
        assertThat(read(record(Ledger.AMOUNT_PAID_IN_V1, "euros", 3))).containsExactly(new Credited(300L, "from euros"));
    }

    @Test
    void oneOldEventCanBecomeSeveral() {
        GenericRecord corrected = new GenericData.Record(Ledger.CORRECTED_V1);
        corrected.put("from", 500L);
        corrected.put("to", 450L);

        assertThat(read(corrected)).containsExactly(new Reversed(500L), new Credited(450L, "corrected"));
    }

    @Test
    void aChangeOfMeaningUnderOneNameIsUpcastByItsWriterSchemaOnly() {
        // Such a history exists only where the subject's compatibility was NONE for a while.
        codec.registry().setCompatibility("ledger-events-foldstream.test.ledger.Credited", CompatibilityLevel.NONE);
        assertThat(read(record(Ledger.CREDITED_IN_EUROS, "euros", 2))).containsExactly(new Credited(200L, "from euros"));
        // Today's Credited, same name, is read as it is.
        byte[] today = codec.encode("ledger-events-foldstream.test.ledger.Credited", new Credited(7L, "x"));
        assertThat(reader.read(today)).isEqualTo(new EventReader.Read.Events(List.of(new Credited(7L, "x"))));
    }

    @Test
    void anEventNoTypeOrUpcasterKnowsIsUnreadableNamingIt() {
        Schema unknown = new Schema.Parser().parse("""
                {"type": "record", "name": "Audited", "namespace": "foldstream.test.ledger", "fields": [{"name": "by", "type": "string"}]}""");

        EventReader.Read read = reader.read(encode(record(unknown, "by", "ann")));

        assertThat(read).isInstanceOf(EventReader.Read.Unreadable.class);
        assertThat(((EventReader.Read.Unreadable) read).reason()).contains("ledger", "foldstream.test.ledger.Audited");
    }

    @Test
    void anUpcasterThatFailsOrAnswersAForeignRecordMakesTheEventUnreadableNotTheReader() {
        AggregateType<LedgerState> broken = AggregateType
                .builder("broken", LedgerState.class, new Ledger())
                .command(Credit.class)
                .events(Credited.class, Reversed.class)
                .upcast("foldstream.test.ledger.AmountPaidIn", old -> { throw new IllegalStateException("no rate"); })
                .upcast("foldstream.test.ledger.Corrected", old -> List.of(new Credit(1L)))
                .build();
        EventReader brokenReader = new EventReader(broken, codec);
        GenericRecord corrected = new GenericData.Record(Ledger.CORRECTED_V1);
        corrected.put("from", 1L);
        corrected.put("to", 2L);

        assertThat(brokenReader.read(encode(record(Ledger.AMOUNT_PAID_IN_V1, "euros", 1))))
                .isEqualTo(new EventReader.Read.Unreadable("the upcaster of foldstream.test.ledger.AmountPaidIn failed: java.lang.IllegalStateException: no rate"));
        assertThat(((EventReader.Read.Unreadable) brokenReader.read(encode(corrected))).reason())
                .contains("foldstream.test.ledger.Credit", "not an event type of broken");
    }

    @Test
    void theFixtureFoldsEventsAsTheyWereWrittenAndCountsEachStoredEventAsOneVersion() {
        GenericRecord corrected = new GenericData.Record(Ledger.CORRECTED_V1);
        corrected.put("from", 300L);
        corrected.put("to", 250L);

        AggregateFixture.of(ledger)
                .givenWritten(record(Ledger.AMOUNT_PAID_IN_V1, "euros", 3), record(Ledger.DEPOSITED_V1, "cents", 50L), corrected)
                .when(new Credit(1L))
                .expectEvents(new Credited(1L, ""))
                .expectState(new LedgerState(301L, 5))
                .expectVersion(4);
        assertThatThrownBy(() -> AggregateFixture.of(ledger).givenWritten(record(new Schema.Parser().parse("""
                {"type": "record", "name": "Nope", "namespace": "x", "fields": [{"name": "a", "type": "int"}]}"""), "a", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.Nope");
    }

    @Test
    void theWorkersFoldReadsOldEventsAsTodaysAndCountsStoredVersions() {
        // EventFold is what the EVENTS_ONLY rebuild and replay fold S-events with (PartitionRebuild).
        GenericRecord corrected = new GenericData.Record(Ledger.CORRECTED_V1);
        corrected.put("from", 100L);
        corrected.put("to", 40L);
        List<GenericRecord> written = List.of(record(Ledger.AMOUNT_PAID_IN_V1, "euros", 2), record(Ledger.DEPOSITED_V1, "cents", 5L),
                corrected);
        EventFold<LedgerState> fold = new EventFold<>(ledger, codec);
        for (int i = 0; i < written.size(); i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(i + 1));
            fold.add(new ConsumerRecord<>("ledger-events", 0, i, 0L, TimestampType.CREATE_TIME, 0, 0,
                    "L1".getBytes(StandardCharsets.UTF_8), encode(written.get(i)), headers, Optional.empty()));
        }

        assertThat(fold.version("L1")).isEqualTo(3);
        assertThat(fold.snapshots().get("L1").state()).isEqualTo(new LedgerState(200L + 5L - 100L + 40L, 4));
    }

    private List<SpecificRecord> read(GenericRecord written) {
        EventReader.Read read = reader.read(encode(written));
        assertThat(read).isInstanceOf(EventReader.Read.Events.class);
        return ((EventReader.Read.Events) read).events();
    }

    private byte[] encode(GenericRecord written) {
        return codec.encode("ledger-events-" + written.getSchema().getFullName(), written);
    }

    private static GenericRecord record(Schema schema, String field, Object value) {
        GenericRecord record = new GenericData.Record(schema);
        record.put(field, value);
        return record;
    }
}
