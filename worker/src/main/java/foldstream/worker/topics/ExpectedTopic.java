package foldstream.worker.topics;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic the wire contract asks for: its name, the aggregate type it belongs to and its role.
 *
 * <pre>{@code
 * List<ExpectedTopic> topics = ExpectedTopic.of(Users.type());  // ex_users-commands, -events, -results, -dlq
 * }</pre>
 */
public record ExpectedTopic(String name, String aggregateType, TopicRole role) {

    /** The topics of one type: commands, events, results, dlq, and state when the type publishes it. */
    public static List<ExpectedTopic> of(AggregateType<?> type) {
        AggregateTopics topics = AggregateTopics.of(type.name());
        List<ExpectedTopic> expected = new ArrayList<>();
        for (TopicRole role : TopicRole.values()) {
            if (role != TopicRole.STATE || type.publishesState()) {
                expected.add(new ExpectedTopic(role.topic(topics), type.name(), role));
            }
        }
        return List.copyOf(expected);
    }

    /** The topics of several types, type by type. */
    public static List<ExpectedTopic> of(List<? extends AggregateType<?>> types) {
        List<ExpectedTopic> expected = new ArrayList<>();
        for (AggregateType<?> type : types) {
            expected.addAll(of(type));
        }
        return List.copyOf(expected);
    }
}
