package foldstream.worker.topics;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Existing topics break the wire contract in a way that would lose events or split a type's
 * partitioning; nothing was changed.
 *
 * <pre>{@code
 * try {
 *     topicAdmin.ensure(types, 6, TopicAdmin.DERIVED_REPLICATION);
 * } catch (TopicContractException e) {
 *     e.problems().forEach(p -> System.err.println(p));   // topic ex_users-events: cleanup.policy is compact: ...
 * }
 * }</pre>
 */
public final class TopicContractException extends RuntimeException {

    private final List<TopicProblem> problems;

    public TopicContractException(List<TopicProblem> problems) {
        super("existing topics do not meet the wire contract; fix them (kafka-configs / kafka-topics) or use other stream names:\n  "
                + problems.stream().map(TopicProblem::toString).collect(Collectors.joining("\n  ")));
        this.problems = List.copyOf(problems);
    }

    public List<TopicProblem> problems() {
        return problems;
    }
}
