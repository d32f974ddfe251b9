package foldstream.worker.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A command's timestamp as its producer set it, or, when that is negative (no timestamp, or a
 * client that wrote one), the partition's time so far, else the worker's clock. Kafka Streams'
 * default ({@code FailOnInvalidTimestamp}) would stop the thread on such a record, every time it
 * read it. Foldstream decides nothing by timestamps: they only stamp the outputs.
 */
public final class CommandTimestamps implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.timestamp() >= 0) {
            return record.timestamp();
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
