package foldstream.worker.topics;

import foldstream.worker.runtime.AggregateTopics;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The part a topic plays for its aggregate type, with the settings the wire contract gives it
 * when Foldstream creates it (docs/contract.md).
 *
 * <pre>{@code
 * TopicRole.EVENTS.topic(AggregateTopics.of("ex_users"))   // "ex_users-events"
 * TopicRole.EVENTS.configs()                               // cleanup.policy=delete, retention.ms=-1, retention.bytes=-1
 * }</pre>
 */
public enum TopicRole {
    COMMANDS(Map.of()),
    /** The event store: deleted never, neither by compaction nor by time or size. */
    EVENTS(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1")),
    RESULTS(Map.of()),
    DLQ(Map.of()),
    /** The latest state per aggregate, for downstream tables. */
    STATE(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
    /** Control instructions (replay): read by the same tasks as the commands, so co-partitioned with them. */
    CONTROL(Map.of()),
    CONTROL_RESULTS(Map.of());

    private final Map<String, String> configs;

    TopicRole(Map<String, String> configs) {
        this.configs = configs;
    }

    /** The topic configs Foldstream creates a topic of this role with; the broker's defaults for the rest. */
    public Map<String, String> configs() {
        return configs;
    }

    /** Whether commands, events, results and control topics must agree on this topic's partition count. */
    public boolean sharesPartitionCount() {
        return this != DLQ && this != STATE;
    }

    /** The name of this role's topic for the type whose topics are {@code topics}. */
    public String topic(AggregateTopics topics) {
        return switch (this) {
            case COMMANDS -> topics.commands();
            case EVENTS -> topics.events();
            case RESULTS -> topics.results();
            case DLQ -> topics.dlq();
            case STATE -> topics.state();
            case CONTROL -> topics.control();
            case CONTROL_RESULTS -> topics.controlResults();
        };
    }
}
