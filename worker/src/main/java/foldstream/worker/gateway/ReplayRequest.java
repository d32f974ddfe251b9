package foldstream.worker.gateway;

import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlResult;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One replay of a type: a {@code ControlInstruction} (REPLAY) on every partition of {@code S-control},
 * then the {@code ControlResult} of each from {@code S-control-results}, read with a consumer of its
 * own that starts at the end of that topic before the instructions are sent.
 */
final class ReplayRequest {

    private final Map<String, Object> kafka;
    private final Producer<byte[], byte[]> producer;
    private final AvroWireCodec codec;

    ReplayRequest(Map<String, Object> kafka, Producer<byte[], byte[]> producer, AvroWireCodec codec) {
        this.kafka = kafka;
        this.producer = producer;
        this.codec = codec;
    }

    /** Blocks until every partition answered. */
    List<ControlResult> run(String type, Duration timeout) throws TimeoutException, InterruptedException, ExecutionException {
        AggregateTopics topics = AggregateTopics.of(type);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "foldstream-replay-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> results = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : results.partitionsFor(topics.controlResults(), timeout)) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            results.assign(partitions);
            results.seekToEnd(partitions);
            partitions.forEach(results::position); // the end now, before any instruction is sent

            String run = "replay-" + UUID.randomUUID();
            Map<String, ControlResult> answered = new HashMap<>();
            List<String> ids = new ArrayList<>();
            ControlInstruction instruction = new ControlInstruction(ControlAction.REPLAY);
            byte[] value = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topics.control(), instruction.getSchema()), instruction);
            for (PartitionInfo partition : producer.partitionsFor(topics.control())) {
                String id = run + "-" + partition.partition();
                ids.add(id);
                RecordHeaders headers = new RecordHeaders();
                headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(id));
                producer.send(new ProducerRecord<>(topics.control(), partition.partition(),
                        Integer.toString(partition.partition()).getBytes(StandardCharsets.UTF_8), value, headers))
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            while (answered.size() < ids.size()) {
                if (System.nanoTime() > deadline) {
                    List<String> missing = ids.stream().filter(id -> !answered.containsKey(id)).toList();
                    throw new TimeoutException("no ControlResult for " + missing + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : results.poll(Duration.ofMillis(200))) {
                    String id = ContractHeaders.text(record.headers(), ContractHeaders.COMMAND_ID);
                    if (id != null && ids.contains(id)) {
                        answered.put(id, codec.decode(record.value(), ControlResult.class));
                    }
                }
            }
            List<ControlResult> all = new ArrayList<>(answered.values());
            all.sort(Comparator.comparingInt(ControlResult::getPartition));
            return all;
        }
    }
}
