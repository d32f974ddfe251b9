package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.worker.runtime.AbandonedTransactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker killed mid-transaction leaves it open, and {@code read_committed} readers of what it
 * wrote stop there until it is aborted. The survivors abort it once it has been open longer than
 * the session timeout, long before the broker's own transaction timeout (here a minute) would, and
 * leave other applications' transactions alone.
 */
@ExtendWith(KafkaStack.class)
class AbandonedTransactionsIT {

    @Test
    void aDeadWorkersOpenTransactionIsAbortedAfterTheSessionTimeoutAndReadersMoveOn(KafkaStack.Endpoints stack) throws Exception {
        String app = "abandoned-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = app + "-results";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            String deadWorker = app + "-" + UUID.randomUUID() + "-1"; // as Kafka Streams names a stream thread's producer
            String otherApp = app + "x-" + UUID.randomUUID() + "-1";
            try (KafkaProducer<String, String> dead = transactional(stack, deadWorker);
                 KafkaProducer<String, String> other = transactional(stack, otherApp);
                 KafkaProducer<String, String> plain = producer(stack, Map.of())) {
                dead.send(new ProducerRecord<>(topic, "k", "never committed")).get();
                other.send(new ProducerRecord<>(topic, "k", "another application's")).get();
                plain.send(new ProducerRecord<>(topic, "k", "after")).get();
                // Both stay open: the "dead" producer is never used again, as if its JVM had been killed.

                try (AbandonedTransactions abandoned = AbandonedTransactions.start(Map.of(
                        StreamsConfig.APPLICATION_ID_CONFIG, app,
                        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 2_000))) {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                            assertThat(admin.describeTransactions(List.of(deadWorker)).all().get().get(deadWorker).state())
                                    .isIn(TransactionState.COMPLETE_ABORT, TransactionState.EMPTY));
                }
                assertThat(admin.describeTransactions(List.of(otherApp)).all().get().get(otherApp).state())
                        .isEqualTo(TransactionState.ONGOING);
                other.abortTransaction();
            }
            assertThat(readCommitted(stack, topic)).containsExactly("after");
        }
    }

    private static KafkaProducer<String, String> transactional(KafkaStack.Endpoints stack, String transactionalId) {
        // The broker would abort these only after a minute: whatever aborts sooner is the survivors' doing.
        KafkaProducer<String, String> producer = producer(stack, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000));
        producer.initTransactions();
        producer.beginTransaction();
        return producer;
    }

    private static KafkaProducer<String, String> producer(KafkaStack.Endpoints stack, Map<String, Object> more) {
        Map<String, Object> config = new java.util.HashMap<>(more);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Everything a read_committed reader sees up to the topic's last stable offset. */
    private static List<String> readCommitted(KafkaStack.Endpoints stack, String topic) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }
}
