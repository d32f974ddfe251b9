package foldstream.worker.topics;

import java.util.List;
import java.util.stream.Collectors;

/** Existing topics break the wire contract in a way that would lose events or reorder commands; nothing was changed. */
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
