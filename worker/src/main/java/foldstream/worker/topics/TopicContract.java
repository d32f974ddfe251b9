package foldstream.worker.topics;

import foldstream.worker.runtime.ProcessingOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The rules existing topics must follow before a worker uses them: nothing may delete events,
 * nothing may delete results within the idempotency window (the answered commands are rebuilt from
 * {@code S-results}), and the commands, events and results of one type must have one partition
 * count. Pure: it judges what {@link TopicAdmin} observed.
 *
 * <pre>{@code
 * List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(types), observedByName);
 * }</pre>
 */
public final class TopicContract {

    private TopicContract() {
    }

    /** Kafka's default retention ({@code log.retention.hours=168}), the least a created results topic keeps. */
    static final Duration KAFKA_DEFAULT_RETENTION = Duration.ofDays(7);

    /** As below, for the default idempotency window ({@link ProcessingOptions#DEFAULTS}). */
    public static List<TopicProblem> check(List<ExpectedTopic> expected, Map<String, ObservedTopic> observed) {
        return check(expected, observed, ProcessingOptions.DEFAULTS.commandIdRetention());
    }

    /**
     * Every problem of the observed topics among the expected ones; missing topics are no problem.
     *
     * @param answersWindow how long answered commands are remembered ({@code --command-id-retention}):
     *     results topics must keep at least that long
     */
    public static List<TopicProblem> check(List<ExpectedTopic> expected, Map<String, ObservedTopic> observed, Duration answersWindow) {
        List<TopicProblem> problems = new ArrayList<>();
        for (ExpectedTopic topic : expected) {
            ObservedTopic found = observed.get(topic.name());
            if (found != null) {
                problems.addAll(check(topic, found));
                if (topic.role() == TopicRole.RESULTS) {
                    problems.addAll(resultsKeep(topic, found, answersWindow));
                }
            }
        }
        Map<String, List<ExpectedTopic>> byType = expected.stream()
                .collect(Collectors.groupingBy(ExpectedTopic::aggregateType, LinkedHashMap::new, Collectors.toList()));
        for (List<ExpectedTopic> ofType : byType.values()) {
            problems.addAll(partitionProblems(ofType, observed));
        }
        return List.copyOf(problems);
    }

    /** The problems of one existing topic's configs. */
    public static List<TopicProblem> check(ExpectedTopic topic, ObservedTopic observed) {
        List<TopicProblem> problems = new ArrayList<>();
        Set<String> policy = cleanupPolicy(observed);
        if (topic.role() == TopicRole.EVENTS) {
            if (policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                problems.add(new TopicProblem(topic.name(), TopicConfig.CLEANUP_POLICY_CONFIG, "is "
                        + String.join(",", policy) + ": compaction keeps only the latest event of each aggregate and"
                        + " loses the rest; the event store needs cleanup.policy=delete with retention.ms=-1 and retention.bytes=-1"));
            }
            if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                unlimited(topic, observed, TopicConfig.RETENTION_MS_CONFIG, "old events").ifPresent(problems::add);
                unlimited(topic, observed, TopicConfig.RETENTION_BYTES_CONFIG, "the oldest events").ifPresent(problems::add);
            }
        } else if (topic.role() == TopicRole.STATE) {
            if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                problems.add(new TopicProblem(topic.name(), TopicConfig.CLEANUP_POLICY_CONFIG, "is "
                        + String.join(",", policy) + ": without compaction the latest state of an idle aggregate"
                        + " is deleted; the state topic needs cleanup.policy=compact"));
            } else if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                unlimited(topic, observed, TopicConfig.RETENTION_MS_CONFIG, "the state of idle aggregates").ifPresent(problems::add);
            }
        }
        return problems;
    }

    /**
     * The configs a missing topic is created with: its role's, and for a results topic a
     * {@code retention.ms} of the idempotency window, at least Kafka's default 7 days.
     */
    public static Map<String, String> createConfigs(ExpectedTopic topic, Duration answersWindow) {
        if (topic.role() != TopicRole.RESULTS) {
            return topic.role().configs();
        }
        Map<String, String> configs = new LinkedHashMap<>(topic.role().configs());
        long keep = Math.max(answersWindow.toMillis(), KAFKA_DEFAULT_RETENTION.toMillis());
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(keep));
        return configs;
    }

    /**
     * A results topic is where a worker rebuilds its answered commands from (a duplicate gets its
     * first result again): it must keep every result of the window, so neither compaction nor a
     * shorter retention, by time or by size.
     */
    private static List<TopicProblem> resultsKeep(ExpectedTopic topic, ObservedTopic observed, Duration window) {
        List<TopicProblem> problems = new ArrayList<>();
        String why = "the idempotency window (--command-id-retention, " + window + ") is rebuilt from this topic";
        Set<String> policy = cleanupPolicy(observed);
        if (policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            problems.add(new TopicProblem(topic.name(), TopicConfig.CLEANUP_POLICY_CONFIG, "is " + String.join(",", policy)
                    + ": compaction keeps only the latest result of each aggregate, and " + why
                    + "; it needs cleanup.policy=delete"));
        }
        String ms = observed.config(TopicConfig.RETENTION_MS_CONFIG).orElse("-1").trim();
        if (!ms.equals("-1") && parsed(ms) < window.toMillis()) {
            problems.add(new TopicProblem(topic.name(), TopicConfig.RETENTION_MS_CONFIG, "is " + ms
                    + ": Kafka would delete results younger than the window, and " + why + "; it must be at least "
                    + window.toMillis() + " (or -1), or the window shorter"));
        }
        String bytes = observed.config(TopicConfig.RETENTION_BYTES_CONFIG).orElse("-1").trim();
        if (!bytes.equals("-1")) {
            problems.add(new TopicProblem(topic.name(), TopicConfig.RETENTION_BYTES_CONFIG, "is " + bytes
                    + ": Kafka would delete the oldest results whatever their age, and " + why + "; it must be -1 (unlimited)"));
        }
        return problems;
    }

    private static long parsed(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE; // judged too short: unknown
        }
    }

    /**
     * The partition count for the missing topics of a type: that of its existing commands, events
     * or results topics, so the type's topics stay co-partitioned, or {@code fallback} when none
     * of those exists.
     */
    public static int partitionsFor(List<ExpectedTopic> ofType, Map<String, ObservedTopic> observed, int fallback) {
        return ofType.stream()
                .filter(topic -> topic.role().sharesPartitionCount())
                .map(topic -> observed.get(topic.name()))
                .filter(found -> found != null)
                .mapToInt(ObservedTopic::partitions)
                .max()
                .orElse(fallback);
    }

    /** One problem per topic when the existing commands, events and results of a type disagree on partitions. */
    private static List<TopicProblem> partitionProblems(List<ExpectedTopic> ofType, Map<String, ObservedTopic> observed) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ExpectedTopic topic : ofType) {
            ObservedTopic found = observed.get(topic.name());
            if (topic.role().sharesPartitionCount() && found != null) {
                counts.put(topic.name(), found.partitions());
            }
        }
        if (counts.values().stream().distinct().count() <= 1) {
            return List.of();
        }
        List<TopicProblem> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> topic : counts.entrySet()) {
            String others = counts.entrySet().stream()
                    .filter(other -> !other.getKey().equals(topic.getKey()))
                    .map(other -> other.getKey() + " has " + other.getValue())
                    .collect(Collectors.joining(", "));
            problems.add(new TopicProblem(topic.getKey(), "partitions", "is " + topic.getValue() + " but " + others
                    + ": commands, events, results and control topics of a type must have the same partition count"));
        }
        return problems;
    }

    private static Optional<TopicProblem> unlimited(ExpectedTopic topic, ObservedTopic observed, String key, String lost) {
        String value = observed.config(key).orElse("");
        if (value.trim().equals("-1")) {
            return Optional.empty();
        }
        return Optional.of(new TopicProblem(topic.name(), key, "is " + (value.isEmpty() ? "unknown" : value)
                + ": Kafka would delete " + lost + "; it must be -1 (unlimited)"));
    }

    private static Set<String> cleanupPolicy(ObservedTopic observed) {
        String value = observed.config(TopicConfig.CLEANUP_POLICY_CONFIG).orElse(TopicConfig.CLEANUP_POLICY_DELETE);
        Set<String> policy = Arrays.stream(value.split(","))
                .map(part -> part.trim().toLowerCase(Locale.ROOT))
                .filter(part -> !part.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (policy.isEmpty()) {
            // Judge an empty policy as the broker's default, delete: the stricter reading for an event store.
            policy.add(TopicConfig.CLEANUP_POLICY_DELETE);
        }
        return policy;
    }
}
