package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How fast a worker's partitions move when another worker dies (docs/running.md, "Failover"). The
 * group notices a dead member after {@code session.timeout.ms}: 6 s, the shortest a broker with
 * Kafka's default limits accepts ({@code group.min.session.timeout.ms}), instead of Kafka's 45 s.
 * Heartbeats every 1.5 s, so that a member misses three before it is dropped. Plain keys, so that a
 * user's {@code --property session.timeout.ms=...} replaces them (a prefixed default would win over
 * it).
 */
public final class FailoverDefaults {

    /** Kafka Streams settings of every worker. */
    public static final Map<String, Object> STREAMS = Map.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_500);

    private FailoverDefaults() {
    }
}
