package foldstream.worker.projection.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What blue/green projections ask of Kafka: a generation's committed offsets, the end of topics,
 * and dropping a generation once no instance runs it. One admin client per worker's projections.
 *
 * <pre>{@code
 * try (GenerationAdmin admin = new GenerationAdmin(clientConfig, Duration.ofSeconds(30))) {
 *     admin.drop("foldstream-projection-user-directory-v1");   // false while an instance still runs it
 * }
 * }</pre>
 */
final class GenerationAdmin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationAdmin.class);

    private final Admin admin;
    private final long timeoutMs;

    GenerationAdmin(Map<String, Object> clientConfig, Duration timeout) {
        this.admin = Admin.create(clientConfig);
        this.timeoutMs = timeout.toMillis();
    }

    /** The group's committed offsets (empty when it has none or does not exist). */
    Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = answer(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                "read the offsets of " + group, GroupIdNotFoundException.class, Map.of());
        Map<TopicPartition, Long> found = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                found.put(partition, offset.offset());
            }
        });
        return found;
    }

    boolean topicExists(String topic) {
        return !partitions(List.of(topic)).isEmpty();
    }

    /** The partitions of these topics; a missing topic has none. */
    Set<TopicPartition> partitions(Collection<String> topics) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (String topic : topics) {
            Map<String, TopicDescription> described = answer(admin.describeTopics(List.of(topic)).allTopicNames(), "describe " + topic,
                    UnknownTopicOrPartitionException.class, Map.of());
            Optional.ofNullable(described.get(topic)).ifPresent(description ->
                    description.partitions().forEach(info -> partitions.add(new TopicPartition(topic, info.partition()))));
        }
        return partitions;
    }

    /** The ends a {@code read_committed} reader sees (the last stable offsets). */
    Map<TopicPartition, Long> ends(Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = answer(admin.listOffsets(
                partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest())),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), "read the ends of " + partitions, null, Map.of());
        Map<TopicPartition, Long> found = new HashMap<>();
        ends.forEach((partition, info) -> found.put(partition, info.offset()));
        return found;
    }

    /**
     * Drops a generation no instance runs any more: its consumer group, then its internal topics.
     * Idempotent; every instance tries after stopping it, and the last to leave the group succeeds.
     *
     * @return false while an instance still runs it (nothing dropped)
     */
    boolean drop(String applicationId) {
        boolean deleted;
        try {
            deleted = answer(admin.deleteConsumerGroups(List.of(applicationId)).all().thenApply(done -> true),
                    "delete the group " + applicationId, GroupIdNotFoundException.class, false);
        } catch (StillRunning e) {
            LOG.info("projection generation {} still runs elsewhere; the last instance to stop it drops it", applicationId);
            return false;
        }
        if (deleted) {
            LOG.info("deleted the consumer group {} of a replaced projection generation", applicationId);
        }
        Set<String> existing = answer(admin.listTopics().names(), "list the topics", null, Set.of());
        List<String> internal = EmbeddedProjectionRunner.internalTopics(applicationId).stream().filter(existing::contains).toList();
        if (!internal.isEmpty()) {
            // Another instance may delete them meanwhile: that is the same outcome.
            answer(admin.deleteTopics(internal).all().thenApply(done -> true), "delete " + internal, UnknownTopicOrPartitionException.class,
                    false);
            LOG.info("deleted the internal topics {} of a replaced projection generation", internal);
        }
        return true;
    }

    /**
     * Waits for an admin answer; {@code absent} (when given) is the error that means "nothing there",
     * answered as {@code whenAbsent}. {@link GroupNotEmptyException} is {@link StillRunning}.
     */
    private <T> T answer(KafkaFuture<T> future, String what, Class<? extends Throwable> absent, T whenAbsent) {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (absent != null && absent.isInstance(e.getCause())) {
                return whenAbsent;
            }
            if (e.getCause() instanceof GroupNotEmptyException) {
                throw new StillRunning();
            }
            throw failed(what, e.getCause());
        } catch (TimeoutException e) {
            throw failed(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(what, e);
        }
    }

    /** An instance is still in the group: not dropped. */
    private static final class StillRunning extends RuntimeException {
        StillRunning() {
            super(null, null, false, false);
        }
    }

    private static IllegalStateException failed(String what, Throwable cause) {
        return new IllegalStateException("cannot " + what + ": " + cause, cause);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
