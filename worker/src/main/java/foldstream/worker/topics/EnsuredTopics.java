package foldstream.worker.topics;

import java.util.List;

/**
 * What {@link TopicAdmin#ensure} did: the topics it created, those that already existed and met
 * the contract, and the replication factor it created topics with.
 *
 * <pre>{@code
 * EnsuredTopics done = topicAdmin.ensure(types, 6, TopicAdmin.DERIVED_REPLICATION);
 * done.created()   // [ex_users-commands, ex_users-events, ...] on a new cluster
 * }</pre>
 */
public record EnsuredTopics(List<String> created, List<String> existing, int replicationFactor) {

    public EnsuredTopics {
        created = List.copyOf(created);
        existing = List.copyOf(existing);
    }
}
