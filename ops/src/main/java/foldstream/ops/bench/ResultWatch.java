package foldstream.ops.bench;

import foldstream.worker.runtime.ContractHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads an output topic as a downstream service would ({@code read_committed}), timing what arrives. */
final class ResultWatch implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;

    /** Positioned at the beginning of every partition of the topic. */
    ResultWatch(String bootstrap, String topic) {
        this(bootstrap, topic, false);
    }

    /** Positioned at the beginning, or at the end, of every partition of the topic. */
    ResultWatch(String bootstrap, String topic, boolean fromEnd) {
        this(bootstrap, List.of(topic), fromEnd);
    }

    /** Positioned at the beginning, or at the end, of every partition of the topics. */
    ResultWatch(String bootstrap, List<String> topics, boolean fromEnd) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolved now, before anything else is sent
        } else {
            consumer.seekToBeginning(partitions);
        }
    }

    /** Waits for {@code count} records, telling {@code progress} how many arrived so far; fails after {@code stallTimeout} without a new record. */
    void await(int count, Duration stallTimeout, IntConsumer progress) {
        int seen = 0;
        long lastProgress = System.nanoTime();
        while (seen < count) {
            int polled = consumer.poll(Duration.ofMillis(200)).count();
            long now = System.nanoTime();
            if (polled > 0) {
                seen += polled;
                lastProgress = now;
                progress.accept(seen);
            } else if (now - lastProgress > stallTimeout.toNanos()) {
                throw new IllegalStateException("no output for " + stallTimeout.toSeconds() + " s after " + seen + " of " + count + " records");
            }
        }
    }

    /** Calls {@code each} with the command id and arrival time of every record, until {@code stop} says so. */
    void watch(java.util.function.BooleanSupplier stop, java.util.function.ObjLongConsumer<String> each) {
        records(stop, (record, now) -> {
            Header id = record.headers().lastHeader(ContractHeaders.COMMAND_ID);
            if (id != null) {
                each.accept(new String(id.value(), StandardCharsets.UTF_8), now);
            }
        });
    }

    /** Calls {@code each} with every record and its arrival time, until {@code stop} says so. */
    void records(java.util.function.BooleanSupplier stop, java.util.function.ObjLongConsumer<ConsumerRecord<byte[], byte[]>> each) {
        while (!stop.getAsBoolean()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                each.accept(record, System.nanoTime());
            }
        }
    }

    /** The end of every partition now (the last stable offset, read_committed). */
    Map<TopicPartition, Long> ends() {
        return consumer.endOffsets(consumer.assignment());
    }

    /** Whether everything up to {@code ends} has been read. */
    boolean reached(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
