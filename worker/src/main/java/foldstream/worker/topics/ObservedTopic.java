package foldstream.worker.topics;

import java.util.Map;
import java.util.Optional;

/**
 * A topic as the cluster has it: partitions, replicas and the configs the contract cares about
 * ({@code cleanup.policy}, {@code retention.ms}, {@code retention.bytes}), as the broker reports
 * them, defaults included.
 *
 * <pre>{@code
 * ObservedTopic events = topicAdmin.observe(List.of("ex_users-events")).get("ex_users-events");
 * events.config("retention.ms")   // Optional["-1"]
 * }</pre>
 */
public record ObservedTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {

    public ObservedTopic {
        configs = Map.copyOf(configs);
    }

    public Optional<String> config(String key) {
        return Optional.ofNullable(configs.get(key));
    }
}
