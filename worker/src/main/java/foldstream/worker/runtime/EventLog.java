package foldstream.worker.runtime;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads one partition of an events topic from its beginning to its last committed event. Pure event
 * sourcing rebuilds snapshots from it; {@link KafkaEventLog} reads Kafka, tests may read a list.
 */
@FunctionalInterface
public interface EventLog {

    /**
     * @param streamsConfig the application's Kafka Streams settings, for connecting the reader
     * @param each called with every committed event, oldest first
     */
    void read(Map<String, Object> streamsConfig, String topic, int partition, Consumer<ConsumerRecord<byte[], byte[]>> each);
}
