package foldstream.worker.topics;

/**
 * Why an existing topic cannot be used: the topic, the setting at fault and what would go wrong.
 *
 * <pre>{@code
 * new TopicProblem("ex_users-events", "cleanup.policy", "is compact: compaction keeps only the latest event per aggregate")
 * }</pre>
 */
public record TopicProblem(String topic, String setting, String problem) {

    @Override
    public String toString() {
        return "topic " + topic + ": " + setting + " " + problem;
    }
}
