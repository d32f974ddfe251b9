package foldstream.worker.projection.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;

/** Creates a projection's own topics (dead-letter, published states, generations) when missing. */
final class ProjectionTopics {

    private ProjectionTopics() {
    }

    /** With the runtime's client settings, the cluster's default partitions, and its replication factor when set (else the cluster's). */
    static void ensure(ProjectionRuntime runtime, String topic, Map<String, String> configs) {
        Object replicas = runtime.streamsConfig().get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        short replication = replicas == null ? (short) -1 : Short.parseShort(replicas.toString());
        ensure(runtime.clientConfig(), topic, Optional.empty(), replication < 1 ? Optional.empty() : Optional.of(replication), configs);
    }

    /** With these client settings; empty partitions or replication: the cluster's default. */
    static void ensure(Map<String, Object> clientConfig, String topic, Optional<Integer> partitions, Optional<Short> replication,
                       Map<String, String> configs) {
        try (Admin client = Admin.create(clientConfig)) {
            client.createTopics(List.of(new NewTopic(topic, partitions, replication).configs(configs))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        }
    }
}
