package foldstream.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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
 * try (CommittedTopic.Tail results = CommittedTopic.follow(bootstrap, "ex_counters-results")) {
 *     await().until(() -> results.size() >= sent);
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
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "read_committed")) {
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

    static Tail follow(String bootstrapServers, String topic) {
        return new Tail(bootstrapServers, topic);
    }

    /** Follows a topic from its beginning in a thread of its own, keeping every committed record read. */
    static final class Tail implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
        private final Set<String> keys = ConcurrentHashMap.newKeySet();
        private final AtomicInteger keyed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile Function<ConsumerRecord<byte[], byte[]>, String> keyOf = r -> null;

        private Tail(String bootstrapServers, String topic) {
            this.consumer = consumer(bootstrapServers, "read_committed");
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            this.thread = new Thread(this::run, "tail-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Also counts the records that have a key (a command id, say; null leaves a record out) and the
         * distinct keys among them; records read before are counted too.
         */
        Tail countingDistinct(Function<ConsumerRecord<byte[], byte[]>, String> key) {
            synchronized (this) {
                this.keyOf = key;
                records.forEach(r -> add(key, r));
            }
            return this;
        }

        private void add(Function<ConsumerRecord<byte[], byte[]>, String> key, ConsumerRecord<byte[], byte[]> record) {
            String k = key.apply(record);
            if (k != null) {
                keys.add(k);
                keyed.incrementAndGet();
            }
        }

        private void run() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        synchronized (this) {
                            records.add(record);
                            add(keyOf, record);
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }

        int size() {
            checkAlive();
            return records.size();
        }

        /** Distinct keys counted. */
        int distinct() {
            checkAlive();
            return keys.size();
        }

        /** Records counted (those with a key). */
        int counted() {
            checkAlive();
            return keyed.get();
        }

        List<ConsumerRecord<byte[], byte[]>> records() {
            checkAlive();
            return List.copyOf(records);
        }

        private void checkAlive() {
            Throwable error = failure.get();
            if (error != null) {
                throw new AssertionError("the tail consumer failed", error);
            }
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
