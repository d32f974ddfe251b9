package foldstream.worker.runtime;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Reads a partition of an events topic with a {@code read_committed} consumer built from the
 * application's own settings (security included), up to the last stable offset: everything
 * committed, nothing of a transaction still open or aborted. Each reader polls on a thread of its
 * own, ahead of the caller ({@link ReadAhead}).
 */
public final class KafkaEventLog implements EventLog {

    @Override
    public void read(Map<String, Object> streamsConfig, String topic, int partition,
                     Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (Reader reader = open(streamsConfig, topic, partition)) {
            long next = 0;
            while (next < reader.end()) {
                Batch batch = reader.read(next, 10_000);
                batch.records().forEach(each);
                next = batch.next();
            }
        }
    }

    @Override
    public Reader open(Map<String, Object> streamsConfig, String topic, int partition) {
        Map<String, Object> settings = new StreamsConfig(streamsConfig)
                .getRestoreConsumerConfigs("foldstream-event-log-" + topic + "-" + partition);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Small polls: ReadAhead keeps a few of them parsed ahead per rebuilding partition, and
        // parsed records held longer cost the collector (the fetched bytes are buffered anyway).
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition tp = new TopicPartition(topic, partition);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        // Fetching and parsing on a thread of its own, ahead of the fold (ReadAhead), with the
        // headers the fold reads decoded there too.
        return new ReadAhead(consumer, tp, end, EventFold::prepare);
    }
}
