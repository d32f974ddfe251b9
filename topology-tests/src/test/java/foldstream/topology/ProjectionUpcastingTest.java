package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.test.ledger.Credited;
import foldstream.test.ledger.LedgerState;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.runtime.ProjectionEventReader;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Projections read events the way every read path does: an old event goes through its type's upcaster before a handler sees it. */
class ProjectionUpcastingTest {

    private final AggregateType<LedgerState> ledger = Ledger.type("ledger");
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final EmbeddedProjection<Long> credits = EmbeddedProjection.builder("credits", Long.class, 0L)
            .follows("ledger")
            .on(Credited.class, (total, credited, meta) -> total + credited.getCents())
            .build();

    @Test
    void anEventOfATypeThatIsGoneReachesTheHandlerAsTodaysEvent() {
        GenericRecord old = new GenericData.Record(Ledger.AMOUNT_PAID_IN_V1);
        old.put("euros", 3);
        ProjectionEventReader reader = new ProjectionEventReader(credits, codec, EventUpcaster.NONE, List.of(ledger));

        ProjectionEventReader.Read read = read(reader, old);

        assertThat(read).isInstanceOf(ProjectionEventReader.Wanted.class);
        assertThat(((ProjectionEventReader.Wanted) read).events()).containsExactly(new Credited(300L, "from euros"));
        assertThat(read.meta().version()).isEqualTo(1);
    }

    @Test
    void withoutItsTypeTheOldEventIsNotWantedAndOnlyMovesTheVersion() {
        GenericRecord old = new GenericData.Record(Ledger.AMOUNT_PAID_IN_V1);
        old.put("euros", 3);

        assertThat(read(new ProjectionEventReader(credits, codec, EventUpcaster.NONE), old)).isInstanceOf(ProjectionEventReader.NotWanted.class);
    }

    private ProjectionEventReader.Read read(ProjectionEventReader reader, GenericRecord written) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(1));
        headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8("ledger"));
        headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(written.getSchema().getFullName()));
        byte[] value = codec.encode("ledger-events-" + written.getSchema().getFullName(), written);
        return reader.read("ledger-events", 0, 0, 0, ContractHeaders.utf8("l1"), headers, value);
    }
}
