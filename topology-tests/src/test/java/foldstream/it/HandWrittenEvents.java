package foldstream.it;

import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Events written straight to an {@code S-events} topic with the contract's headers, as a worker
 * would have written them, for tests of what reads events (projections): duplicates and gaps are
 * written as easily as the right sequence.
 *
 * <pre>{@code
 * HandWrittenEvents.send(producer, codec, "ex_accounts-events", "ex_accounts", "a1", 1, new AccountOpened("ann"));
 * }</pre>
 */
final class HandWrittenEvents {

    private HandWrittenEvents() {
    }

    /** Sends one event keyed by its aggregate id and waits until it is written. */
    static void send(KafkaProducer<String, byte[]> producer, AvroWireCodec codec, String topic, String type, String id, long version,
                     SpecificRecord event) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version));
        headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8(type));
        headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(event.getSchema().getFullName()));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, event.getSchema()), event);
        producer.send(new ProducerRecord<>(topic, null, id, value, headers)).get(30, TimeUnit.SECONDS);
    }
}
