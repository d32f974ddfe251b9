package foldstream.worker.topics;

import java.util.List;
import java.util.Optional;

/**
 * One expected topic as the cluster has it: absent, or present with its partitions and configs,
 * and what is wrong with it by the wire contract.
 *
 * <pre>{@code
 * for (TopicDescription topic : topicAdmin.describe(ExampleTypes.all())) {
 *     System.out.println(topic.expected().name() + (topic.exists() ? " " + topic.problems() : " missing"));
 * }
 * }</pre>
 */
public record TopicDescription(ExpectedTopic expected, Optional<ObservedTopic> observed, List<TopicProblem> problems) {

    public TopicDescription {
        problems = List.copyOf(problems);
    }

    public boolean exists() {
        return observed.isPresent();
    }
}
