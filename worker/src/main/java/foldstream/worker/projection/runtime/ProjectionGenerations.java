package foldstream.worker.projection.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The generations of embedded projections: a blue/green reset ({@code foldstream projection reset
 * NAME}) writes the next generation of a projection version to the worker application's compacted
 * topic {@code <app>-projection-generations} ({@link #topic}); every worker follows it ({@link GenerationFollower}) and rebuilds that generation
 * beside the one serving, then switches. Generation 1 is the projection version as it always was
 * (application id {@code <app>-projection-<name>-v<version>}); generation G above 1 appends
 * {@code -g<G>} to it.
 *
 * <p>A record: key {@code <name>-v<version>} (the projection version, UTF-8), value JSON
 * {@code {"generation": 2, "requestedAt": "2026-11-29T22:00:00Z", "requestedBy": "ann@ops1"}}.
 *
 * <pre>{@code
 * Request next = ProjectionGenerations.requestNext(kafkaClientConfig, "foldstream", ProjectionGenerations.key("user-directory", 1),
 *         "ann@ops1", Duration.ofSeconds(30));
 * next.generation()   // 2 the first time
 * }</pre>
 */
public final class ProjectionGenerations {

    /** The suffix of the control topic after the worker application id. */
    public static final String TOPIC_SUFFIX = "-projection-generations";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One generation asked for: which, when, by whom. */
    public record Request(int generation, Instant requestedAt, String requestedBy) {

        public Request {
            if (generation < 1) {
                throw new IllegalArgumentException("a generation is 1 or more, was " + generation);
            }
        }

        /** The record's value. */
        public String json() {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("generation", generation);
            body.put("requestedAt", requestedAt.toString());
            body.put("requestedBy", requestedBy);
            try {
                return JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The request in a record's value, or empty when it is not one (a bad value is logged by the reader and skipped). */
        public static Optional<Request> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            try {
                JsonNode node = JSON.readTree(value);
                if (!node.path("generation").canConvertToInt() || node.path("generation").asInt() < 1) {
                    return Optional.empty();
                }
                Instant at = node.hasNonNull("requestedAt") ? Instant.parse(node.get("requestedAt").asText()) : Instant.EPOCH;
                return Optional.of(new Request(node.get("generation").asInt(), at, node.path("requestedBy").asText("")));
            } catch (JsonProcessingException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private ProjectionGenerations() {
    }

    /**
     * The control topic of a worker application, {@code <app>-projection-generations}: compacted, one
     * partition, created on demand by the first worker or reset. Under the application id's prefix,
     * so the worker's ACLs on topics prefixed with it cover it.
     */
    public static String topic(String workerApplicationId) {
        return workerApplicationId + TOPIC_SUFFIX;
    }

    /** The key of a projection version in the control topic: {@code <name>-v<version>}. */
    public static String key(String name, int version) {
        return name + "-v" + version;
    }

    /** {@code <app>-projection-<name>-v<version>} for generation 1 (as before generations existed), with {@code -g<G>} after it for G above 1. */
    public static String applicationId(String workerApplicationId, String name, int version, int generation) {
        String first = workerApplicationId + "-projection-" + name + "-v" + version;
        return generation == 1 ? first : first + "-g" + generation;
    }

    /** Creates the control topic when missing: compacted, one partition, the cluster's default replication. */
    static void ensureTopic(Map<String, Object> clientConfig, String topic) {
        ProjectionTopics.ensure(clientConfig, topic, Optional.of(1), Optional.empty(),
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** The generation each key asks for now (keys never reset are absent: generation 1). */
    public static Map<String, Request> current(Map<String, Object> clientConfig, String workerApplicationId, Duration timeout)
            throws TimeoutException {
        ensureTopic(clientConfig, topic(workerApplicationId));
        try (GenerationFollower reader = new GenerationFollower(clientConfig, topic(workerApplicationId))) {
            return reader.readToEnd(timeout);
        }
    }

    /**
     * Asks every worker for the next generation of a projection version: reads the current one and
     * writes it plus 1. Two resets of the same projection at the same moment may ask for the same
     * generation; that is one rebuild, not two.
     */
    public static Request requestNext(Map<String, Object> clientConfig, String workerApplicationId, String key, String requestedBy,
                                      Duration timeout) throws TimeoutException, InterruptedException {
        int now = Optional.ofNullable(current(clientConfig, workerApplicationId, timeout).get(key)).map(Request::generation).orElse(1);
        Request next = new Request(now + 1, Instant.now(), requestedBy);
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic(workerApplicationId), key, next.json())).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic(workerApplicationId) + ": " + e.getCause(), e.getCause());
        }
        return next;
    }
}
