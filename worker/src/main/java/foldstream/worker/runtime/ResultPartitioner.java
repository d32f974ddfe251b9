package foldstream.worker.runtime;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends a command's result (and its dead letter) to the partition number the command came from,
 * so each partition of {@code S-results} and {@code S-dlq} is written only by the task that owns
 * the same partition of {@code S-commands}. For a keyed command that follows the contract this is
 * where the key would go anyway; for a keyless one (or one a producer put on another partition) it
 * keeps a crashed worker's open transaction from holding back {@code read_committed} readers of a
 * partition another worker owns.
 *
 * <p>Kafka Streams calls a sink's partitioner on the forwarding thread, within
 * {@code context.forward}; the processor names the partition just before forwarding.
 */
final class ResultPartitioner implements StreamPartitioner<byte[], byte[]> {

    private final ThreadLocal<Integer> next = new ThreadLocal<>();

    /** Forwards with {@code forward} to partition {@code partition} of the sink's topic. */
    void to(int partition, Runnable forward) {
        next.set(partition);
        try {
            forward.run();
        } finally {
            next.remove();
        }
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        Integer partition = next.get();
        if (partition == null || partition >= numPartitions) {
            return Optional.empty(); // the default: by key
        }
        return Optional.of(Set.of(partition));
    }
}
