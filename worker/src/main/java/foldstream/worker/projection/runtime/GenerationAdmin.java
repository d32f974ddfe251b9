package foldstream.worker.projection.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> found = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    found.put(partition, offset.offset());
                }
            });
            return found;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw failed("read the offsets of " + group, e.getCause());
        } catch (TimeoutException e) {
            throw failed("read the offsets of " + group, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("read the offsets of " + group, e);
        }
    }

    boolean topicExists(String topic) {
        return !partitions(List.of(topic)).isEmpty();
    }

    /** The partitions of these topics; a missing topic has none. */
    Set<TopicPartition> partitions(Collection<String> topics) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (String topic : topics) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS)
                        .get(topic);
                description.partitions().forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failed("describe " + topic, e.getCause());
                }
            } catch (TimeoutException e) {
                throw failed("describe " + topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("describe " + topic, e);
            }
        }
        return partitions;
    }

    /** The ends a {@code read_committed} reader sees (the last stable offsets). */
    Map<TopicPartition, Long> ends(Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest())),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> found = new HashMap<>();
            ends.forEach((partition, info) -> found.put(partition, info.offset()));
            return found;
        } catch (ExecutionException e) {
            throw failed("read the ends of " + partitions, e.getCause());
        } catch (TimeoutException e) {
            throw failed("read the ends of " + partitions, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("read the ends of " + partitions, e);
        }
    }

    /**
     * Drops a generation no instance runs any more: its consumer group, then its internal topics.
     * Idempotent; every instance tries after stopping it, and the last to leave the group succeeds.
     *
     * @return false while an instance still runs it (nothing dropped)
     */
    boolean drop(String applicationId) {
        try {
            try {
                admin.deleteConsumerGroups(List.of(applicationId)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("deleted the consumer group {} of a replaced projection generation", applicationId);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupNotEmptyException) {
                    LOG.info("projection generation {} still runs elsewhere; the last instance to stop it drops it", applicationId);
                    return false;
                }
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<String> internal = EmbeddedProjectionRunner.internalTopics(applicationId).stream().filter(existing::contains).toList();
            if (!internal.isEmpty()) {
                admin.deleteTopics(internal).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("deleted the internal topics {} of a replaced projection generation", internal);
            }
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return true;   // another instance deleted them meanwhile
            }
            throw failed("drop " + applicationId, e.getCause());
        } catch (TimeoutException e) {
            throw failed("drop " + applicationId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("drop " + applicationId, e);
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
