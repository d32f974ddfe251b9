package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.transfers.TransferProcessState;
import foldstream.protocol.ProcessSnapshot;
import foldstream.test.ledger.Credit;
import foldstream.test.ledger.Credited;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessInput;
import foldstream.worker.process.ProcessManager;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Reaction;
import foldstream.worker.process.Route;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.process.runtime.ProcessSnapshotCodec;
import foldstream.worker.process.runtime.ProcessStores;
import foldstream.worker.process.runtime.ProcessTopology;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A process reads the events it follows the way every read path does: events written under old
 * schemas reach {@code react} as today's events, through the followed type's upcasters, and one
 * stored event split into several gives each its own event id.
 */
class ProcessUpcastingTest {

    /** Adds up the cents of every Credited of a ledger, in an instance per ledger. */
    private static final class CreditTotals implements ProcessManager<TransferProcessState> {
        public TransferProcessState initialState() {
            return TransferProcessState.newBuilder().build();
        }

        public Route route(SpecificRecord event, EventMeta meta) {
            return Route.start(meta.aggregateId());
        }

        public Reaction<TransferProcessState> react(TransferProcessState state, ProcessInput input) {
            ProcessInput.Event event = (ProcessInput.Event) input;
            Credited credited = (Credited) event.event();
            return Reaction.of(TransferProcessState.newBuilder(state).setAmount(state.getAmount() + credited.getCents())
                    .setReason((state.getReason() == null ? "" : state.getReason() + ",") + event.meta().eventId()).build());
        }
    }

    @Test
    void eventsWrittenUnderOldSchemasReachReactUpcast() {
        AggregateType<?> ledger = Ledger.type("ledger");
        ProcessType<TransferProcessState> totals = ProcessType.builder("totals", TransferProcessState.class, new CreditTotals())
                .follows("ledger", Credited.class).sends("ledger", Credit.class).build();
        AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
        Properties props = new Properties();
        props.putAll(StreamsSettings.defaults("process-upcasting-test", "unused:9092"));
        try (TopologyTestDriver driver = new TopologyTestDriver(ProcessTopology.build(totals, List.of(ledger), codec,
                ProcessOptions.DEFAULTS, new MutableClock(Worker.START)), props, Worker.START)) {
            TestInputTopic<byte[], byte[]> events = driver.createInputTopic("ledger-events", new ByteArraySerializer(), new ByteArraySerializer());
            GenericData.Record paidIn = new GenericData.Record(Ledger.AMOUNT_PAID_IN_V1);
            paidIn.put("euros", 3);
            GenericData.Record corrected = new GenericData.Record(Ledger.CORRECTED_V1);
            corrected.put("from", 1L);
            corrected.put("to", 500L);
            events.pipeInput(event(codec, "L1", 1, paidIn));
            events.pipeInput(event(codec, "L1", 2, corrected));

            byte[] stored = driver.<String, byte[]>getKeyValueStore(ProcessStores.of("totals").instances()).get("L1");
            ProcessSnapshot instance = new ProcessSnapshotCodec().decode(stored);
            assertThat(instance.getStep()).as("AmountPaidIn, then the Credited of the two events Corrected became").isEqualTo(2);
            TransferProcessState state = codec.decode(bytes(instance), TransferProcessState.class);
            assertThat(state.getAmount()).isEqualTo(300 + 500);
            assertThat(state.getReason()).isEqualTo("e1,e2/1");
        }
    }

    private static TestRecord<byte[], byte[]> event(AvroWireCodec codec, String id, int version, IndexedRecord old) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.EVENT_ID, ("e" + version).getBytes(StandardCharsets.UTF_8));
        headers.add(ContractHeaders.AGGREGATE_VERSION, Integer.toString(version).getBytes(StandardCharsets.UTF_8));
        byte[] value = codec.encode("ledger-events-" + old.getSchema().getFullName(), old);
        return new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), value, headers, Worker.START);
    }

    private static byte[] bytes(ProcessSnapshot instance) {
        java.nio.ByteBuffer buffer = instance.getState().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
