package foldstream.worker.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads one partition of an events topic up to its last committed event. Pure event sourcing
 * rebuilds snapshots from it, and replay; {@link KafkaEventLog} reads Kafka, tests may read a list.
 *
 * <pre>{@code
 * EventLog log = (config, topic, partition, each) -> records.forEach(each);
 * try (EventLog.Reader reader = log.open(config, "ex_users-events", 0)) {
 *     EventLog.Batch first = reader.read(0, 10_000);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EventLog {

    /**
     * @param streamsConfig the application's Kafka Streams settings, for connecting the reader
     * @param each called with every committed event, oldest first
     */
    void read(Map<String, Object> streamsConfig, String topic, int partition, Consumer<ConsumerRecord<byte[], byte[]>> each);

    /**
     * A reader that serves the partition in bounded batches from any offset, for rebuilds that
     * proceed in steps. This default reads the whole partition with {@link #read} into memory (fine
     * for tests); {@link KafkaEventLog} reads Kafka batch by batch.
     */
    default Reader open(Map<String, Object> streamsConfig, String topic, int partition) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        read(streamsConfig, topic, partition, all::add);
        long end = all.isEmpty() ? 0 : all.get(all.size() - 1).offset() + 1;
        return new Reader() {
            @Override
            public long end() {
                return end;
            }

            @Override
            public Batch read(long from, int max) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(Math.min(max, 1024));
                long next = Math.max(from, end);
                for (ConsumerRecord<byte[], byte[]> record : all) {
                    if (record.offset() >= from) {
                        if (batch.size() == max) {
                            next = record.offset();
                            break;
                        }
                        batch.add(record);
                    }
                }
                return new Batch(batch, next);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Committed events of one partition, a batch at a time. */
    interface Reader extends AutoCloseable {

        /** The partition's last stable offset when the reader was opened: a rebuild folds up to here. */
        long end();

        /** Up to {@code max} committed events at offsets from {@code from} (below {@link #end()}), oldest first. */
        Batch read(long from, int max);

        @Override
        void close();
    }

    /**
     * Events read, and the offset to read from next (past transaction markers and aborted records,
     * so it may be beyond the last event's offset + 1).
     */
    record Batch(List<ConsumerRecord<byte[], byte[]>> records, long next) {
    }
}
