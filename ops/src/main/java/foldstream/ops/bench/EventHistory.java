package foldstream.ops.bench;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The events a first instance of {@code ex_accounts} would have written, written straight to
 * {@code S-events} with the contract's headers: an {@code AccountOpened} per aggregate, then
 * deposits on random aggregates. A pure event sourcing restore then measures the rebuild alone,
 * without first deciding millions of commands (at a loaded machine's few thousand a second).
 */
final class EventHistory {

    private EventHistory() {
    }

    static void produce(AvroWireCodec codec, String bootstrap, String stream, int events, int aggregates, IntConsumer progress) {
        String topic = AggregateTopics.of(stream).events();
        long[] versions = new long[aggregates];
        long[] balances = new long[aggregates];
        SplittableRandom random = new SplittableRandom(42);
        try (KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 20, 1)) {
            for (int i = 0; i < events; i++) {
                int aggregate = i < aggregates ? i : random.nextInt(aggregates);
                SpecificRecord event;
                if (i < aggregates) {
                    event = new AccountOpened("owner-" + aggregate);
                } else {
                    long amount = 1L + random.nextInt(100);
                    balances[aggregate] += amount;
                    event = new MoneyDeposited(amount, balances[aggregate]);
                }
                long version = ++versions[aggregate];
                String id = "acc-" + aggregate;
                RecordHeaders headers = new RecordHeaders();
                headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8("h" + i));
                headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version));
                headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(event.getSchema().getFullName()));
                headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8(stream));
                byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, event.getSchema()), event);
                producer.send(new ProducerRecord<>(topic, null, id.getBytes(StandardCharsets.UTF_8), value, headers));
                if (i % 50_000 == 0) {
                    progress.accept(i);
                }
            }
            producer.flush();
        }
    }
}
