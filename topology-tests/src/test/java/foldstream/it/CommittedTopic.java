package foldstream.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What consumers of the contract see of a topic: {@code read_committed} reads, so records of aborted
 * or still open transactions never count.
 *
 * <pre>{@code
 * try (CommittedTopic.Tail results = CommittedTopic.follow(bootstrap, "ex_counters-results", r -> true)) {
 *     await().until(() -> results.counted() >= sent);
 * }
 * CommittedTopic.awaitNoOpenTransactions(bootstrap, List.of("ex_counters-results"), Duration.ofSeconds(60));
 * List<ConsumerRecord<byte[], byte[]>> all = CommittedTopic.readAll(bootstrap, "ex_counters-results");
 * }</pre>
 */
final class CommittedTopic {

    private CommittedTopic() {
    }

    static Map<String, Object> consumerSettings(String bootstrapServers, String isolation) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        return settings;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String isolation) {
        return new KafkaConsumer<>(consumerSettings(bootstrapServers, isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new AssertionError("topic " + topic + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** Every committed record of the topic up to its last stable offsets at the time of the call, in offset order per partition. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic) {
        return readAll(bootstrapServers, topic, "read_committed");
    }

    /** As {@link #readAll(String, String)} at the given isolation level: {@code read_uncommitted} sees open transactions too. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, isolation)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        records.add(record);
                    }
                }
            }
            return records;
        }
    }

    /**
     * Waits until no transaction is open on the topics' partitions (the last stable offset has reached
     * the high watermark everywhere), so that {@link #readAll} then sees every record ever committed: a
     * transaction left open by a killed worker hides everything after it until it is aborted.
     */
    static void awaitNoOpenTransactions(String bootstrapServers, Collection<String> topics, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> committed = consumer(bootstrapServers, "read_committed");
             KafkaConsumer<byte[], byte[]> uncommitted = consumer(bootstrapServers, "read_uncommitted")) {
            List<TopicPartition> partitions = topics.stream().flatMap(t -> partitions(committed, t).stream()).toList();
            await("no open transaction on " + topics).atMost(timeout).pollInterval(Duration.ofMillis(250))
                    .until(() -> committed.endOffsets(partitions).equals(uncommitted.endOffsets(partitions)));
        }
    }

    /** Follows the topic from its beginning, counting the records {@code counts} accepts. */
    static Tail follow(String bootstrapServers, String topic, Predicate<ConsumerRecord<byte[], byte[]>> counts) {
        return new Tail(bootstrapServers, topic, counts);
    }

    /** Follows a topic from its beginning in a thread of its own, counting the committed records of interest. */
    static final class Tail implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Predicate<ConsumerRecord<byte[], byte[]>> counts;
        private final AtomicInteger counted = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        private Tail(String bootstrapServers, String topic, Predicate<ConsumerRecord<byte[], byte[]>> counts) {
            this.consumer = consumer(bootstrapServers, "read_committed");
            this.counts = counts;
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            this.thread = new Thread(this::run, "tail-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (counts.test(record)) {
                            counted.incrementAndGet();
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }

        /** The records of interest read so far. */
        int counted() {
            Throwable error = failure.get();
            if (error != null) {
                throw new AssertionError("the tail consumer failed", error);
            }
            return counted.get();
        }

        @Override
        public void close() {
            running.set(false);
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        }
    }
}
