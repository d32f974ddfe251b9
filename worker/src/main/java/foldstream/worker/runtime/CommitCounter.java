package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Counts its task's commits: Kafka Streams commits every store of a task when it commits the task,
 * so a processor can tell that what it wrote before has been committed since. A replay needs it:
 * it may read {@code S-events} only once the events of the transaction that was open when it was
 * asked for are committed. Holds nothing, in memory.
 *
 * <pre>{@code
 * topology.addStateStore(CommitCounter.builder(topics.commitCounter()), processorName);
 * long before = ((CommitCounter) context.getStateStore(topics.commitCounter())).commits();
 * }</pre>
 */
public final class CommitCounter implements StateStore {

    private final String name;
    private long commits;
    private boolean open;

    /** @param name the store's name, {@link AggregateTopics#commitCounter()} for a type's processor */
    public CommitCounter(String name) {
        this.name = name;
    }

    /** Commits of the task since this store was opened. */
    public long commits() {
        return commits;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        commits++;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one per task; it has no changelog and no cache. */
    static StoreBuilder<CommitCounter> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitCounter> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitCounter> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitCounter> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("a commit counter has no changelog");
            }

            @Override
            public StoreBuilder<CommitCounter> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitCounter build() {
                return new CommitCounter(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
