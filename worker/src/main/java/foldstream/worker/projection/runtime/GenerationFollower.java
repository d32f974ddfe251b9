package foldstream.worker.projection.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a worker application's {@link ProjectionGenerations#topic generations topic} from its beginning ({@code read_committed}, no consumer
 * group: every reader sees every record), first to its end ({@link #readToEnd}: what a starting
 * worker runs), then on a thread of its own ({@link #follow}), handing each request on and calling
 * {@code tick} after every poll (at least every {@link #POLL}).
 *
 * <pre>{@code
 * GenerationFollower follower = new GenerationFollower(clientConfig, ProjectionGenerations.topic("foldstream"));
 * Map<String, Request> now = follower.readToEnd(Duration.ofSeconds(30));
 * follower.follow((key, request) -> host.generation(key, request), host::tick);
 * }</pre>
 */
final class GenerationFollower implements AutoCloseable {

    /** How long one poll waits: the switch checks run at least this often. */
    static final Duration POLL = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(GenerationFollower.class);

    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private volatile Thread thread;
    private volatile boolean closing;

    GenerationFollower(Map<String, Object> clientConfig, String topic) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    /** Every key's latest request, reading from the beginning to the end the topic has now. */
    Map<String, ProjectionGenerations.Request> readToEnd(Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<String, ProjectionGenerations.Request> latest = new HashMap<>();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey(), timeout) < end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("did not read " + topic + " to its end within " + timeout);
            }
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                parse(record).ifPresent(request -> latest.merge(record.key(), request,
                        (before, after) -> after.generation() >= before.generation() ? after : before));
            }
        }
        return latest;
    }

    /** Goes on reading on a thread of its own, after {@link #readToEnd}. */
    void follow(BiConsumer<String, ProjectionGenerations.Request> requests, Runnable tick) {
        Thread follower = new Thread(() -> {
            while (!closing) {
                try {
                    for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                        parse(record).ifPresent(request -> requests.accept(record.key(), request));
                    }
                    tick.run();
                } catch (WakeupException e) {
                    // closing
                } catch (RuntimeException e) {
                    // A failed check or poll is tried again at the next one; the projections keep serving meanwhile.
                    LOG.warn("following {} failed; trying again: {}", topic, e.toString());
                }
            }
        }, "foldstream-projection-generations");
        follower.setDaemon(true);
        thread = follower;
        follower.start();
    }

    private Optional<ProjectionGenerations.Request> parse(ConsumerRecord<String, String> record) {
        if (record.key() == null || record.value() == null) {
            return Optional.empty();
        }
        Optional<ProjectionGenerations.Request> request = ProjectionGenerations.Request.parse(record.value());
        if (request.isEmpty()) {
            LOG.warn("{} offset {}: not a generation request, skipped: {}", topic, record.offset(), record.value());
        }
        return request;
    }

    @Override
    public void close() {
        closing = true;
        Thread running = thread;
        if (running != null) {
            consumer.wakeup();
            try {
                running.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
