package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The rebuild's reader that polls ahead on a thread of its own: the same events, in order, as reading in place. */
class ReadAheadTest {

    private static final TopicPartition PARTITION = new TopicPartition("ex_accounts-events", 0);

    private static MockConsumer<byte[], byte[]> consumerWith(int events) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        consumer.assign(List.of(PARTITION));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        for (int i = 0; i < events; i++) {
            consumer.addRecord(new ConsumerRecord<>(PARTITION.topic(), 0, i, ("acc-" + i).getBytes(StandardCharsets.UTF_8),
                    ("event-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return consumer;
    }

    private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(ConsumerRecord::offset).toList();
    }

    private static boolean readAheadThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("foldstream-read-ahead-") && t.isAlive());
    }

    @Test
    void readsEveryEventUpToTheEndInOrderThenStopsItsThreadOnClose() {
        MockConsumer<byte[], byte[]> consumer = consumerWith(250);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (ReadAhead reader = new ReadAhead(consumer, PARTITION, 200)) {
            long next = 0;
            while (next < reader.end()) {
                EventLog.Batch batch = reader.read(next, 30);
                read.addAll(batch.records());
                next = batch.next();
            }
            assertThat(next).isEqualTo(200);
            assertThat(reader.read(200, 30).records()).isEmpty();
        }
        // Only below the end it was opened with, each once, oldest first.
        assertThat(offsets(read)).isEqualTo(java.util.stream.LongStream.range(0, 200).boxed().toList());
        assertThat(readAheadThreadAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void aReadFromElsewhereStartsOverThere() {
        MockConsumer<byte[], byte[]> consumer = consumerWith(100);
        try (ReadAhead reader = new ReadAhead(consumer, PARTITION, 100)) {
            EventLog.Batch first = reader.read(0, 100);
            assertThat(first.records()).hasSize(100);
            // MockConsumer serves each record once: add them again, as the partition still has them after a seek.
            for (int i = 40; i < 100; i++) {
                consumer.addRecord(new ConsumerRecord<>(PARTITION.topic(), 0, i, new byte[0], new byte[0]));
            }
            EventLog.Batch again = reader.read(40, 100);
            assertThat(offsets(again.records()).get(0)).isEqualTo(40L);
            assertThat(again.next()).isEqualTo(100);
        }
    }

    @Test
    void eachRecordIsPreparedOnTheReadingThreadBeforeTheCallerGetsIt() {
        MockConsumer<byte[], byte[]> consumer = consumerWith(50);
        java.util.Set<Long> prepared = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ReadAhead reader = new ReadAhead(consumer, PARTITION, 50, record -> {
            prepared.add(record.offset());
            threads.add(Thread.currentThread().getName());
        })) {
            EventLog.Batch batch = reader.read(0, 50);
            // Every record handed over was prepared before it was handed over, none on the caller's thread.
            assertThat(offsets(batch.records())).allSatisfy(offset -> assertThat(prepared).contains(offset));
            assertThat(threads).allSatisfy(name -> assertThat(name).startsWith("foldstream-read-ahead-"));
        }
    }

    @Test
    void aFailedPollFailsTheReadThatWaitsForIt() {
        MockConsumer<byte[], byte[]> consumer = consumerWith(0);
        consumer.setPollException(new KafkaException("the broker refused"));
        try (ReadAhead reader = new ReadAhead(consumer, PARTITION, 10)) {
            assertThatThrownBy(() -> reader.read(0, 10)).isInstanceOf(KafkaException.class).hasMessage("the broker refused");
        }
        assertThat(readAheadThreadAlive()).isFalse();
    }
}
