package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.test.ledger.Credit;
import foldstream.test.ledger.LedgerState;
import foldstream.topology.Ledger;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, on the real broker and registry: events written to {@code S-events} by an older
 * version of a type (a renamed record, a record that is gone, one that split in two) are folded by
 * today's code when a pure event-sourcing worker rebuilds its states, and a command then continues
 * from the right state and version.
 */
@ExtendWith(KafkaStack.class)
class UpcastingIT {

    @Test
    void aWorkerRebuildsTodaysStatesFromEventsWrittenUnderOldSchemas(KafkaStack.Endpoints stack, @TempDir java.nio.file.Path dir)
            throws Exception {
        AggregateType<LedgerState> ledger = Ledger.type("it_upcast_ledger").withStorageMode(StorageMode.EVENTS_ONLY);
        AggregateTopics topics = AggregateTopics.of(ledger.name());
        InProcessWorker.createTopics(stack, 1, List.of(ledger));
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()))) {
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            GenericRecord corrected = new GenericData.Record(Ledger.CORRECTED_V1);
            corrected.put("from", 100L);
            corrected.put("to", 40L);
            List<GenericRecord> history = List.of(record(Ledger.AMOUNT_PAID_IN_V1, "euros", 2),
                    record(Ledger.DEPOSITED_V1, "cents", 5L), corrected);
            // The old version of the service wrote these, with the contract's headers.
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < history.size(); i++) {
                    GenericRecord old = history.get(i);
                    ProducerRecord<String, byte[]> event = new ProducerRecord<>(topics.events(), "L1",
                            codec.encode(topics.events() + "-" + old.getSchema().getFullName(), old));
                    event.headers().add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(i + 1))
                            .add(ContractHeaders.COMMAND_ID, ("old-" + i).getBytes(StandardCharsets.UTF_8))
                            .add(ContractHeaders.EVENT_TYPE, old.getSchema().getFullName().getBytes(StandardCharsets.UTF_8));
                    producer.send(event).get(30, TimeUnit.SECONDS);
                }
            }

            try (InProcessWorker worker = InProcessWorker.with(stack, "it-upcasting", List.of(ledger)).partitions(1)
                    .stateDir(dir).start();
                 CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec,
                         List.of(ledger.name()))) {
                CommandResult credited = gateway.send(ledger.name(), "L1", new Credit(1L)).get(60, TimeUnit.SECONDS);

                assertThat(credited.getOutcome()).isEqualTo(Outcome.ACCEPTED);
                assertThat(credited.getVersion()).as("three stored events, then this one").isEqualTo(4);
                Snapshot<LedgerState> snapshot = worker.snapshot(ledger, "L1");
                // 2 euros, 5 cents, a correction of 100 to 40 cents, then 1 cent: five of today's events.
                assertThat(snapshot.state()).isEqualTo(new LedgerState(200L + 5L - 100L + 40L + 1L, 5));
                assertThat(worker.failures()).isEmpty();
            }
        }
    }

    private static GenericRecord record(org.apache.avro.Schema schema, String field, Object value) {
        GenericRecord record = new GenericData.Record(schema);
        record.put(field, value);
        return record;
    }
}
