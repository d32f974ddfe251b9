package foldstream.worker.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * State-store restoration on this instance, from Kafka Streams' restore listener: the stores being
 * restored, the changelog records still to restore, and those restored so far. A new instance or a
 * moved task restores before it decides anything; an alert on "restoring" says why it waits.
 *
 * <pre>{@code
 * streams.setGlobalStateRestoreListener(new RestoreProgress(registry));
 * }</pre>
 */
public final class RestoreProgress implements StateRestoreListener {

    private record Restoring(long end, long restored) {
    }

    private final Map<TopicPartition, Restoring> restoring = new ConcurrentHashMap<>();
    private final Counter restored;

    public RestoreProgress(MeterRegistry registry) {
        Gauge.builder("foldstream.restore.stores", restoring, Map::size)
                .description("State-store partitions being restored from their changelog on this instance").register(registry);
        Gauge.builder("foldstream.restore.remaining.records", restoring,
                        r -> r.values().stream().mapToLong(x -> Math.max(0, x.end() - x.restored())).sum())
                .description("Changelog records still to restore on this instance").register(registry);
        this.restored = Counter.builder("foldstream.restore.records").description("Changelog records restored on this instance")
                .register(registry);
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.put(partition, new Restoring(endingOffset, startingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restoring.computeIfPresent(partition, (tp, r) -> new Restoring(r.end(), batchEndOffset));
        restored.increment(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(partition);
    }
}
