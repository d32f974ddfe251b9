package foldstream.ops.bench;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's commands, all {@code ex_accounts} commands in the wire format: one
 * {@code OpenAccount} per aggregate first, then deposits and withdrawals on random aggregates
 * (uniformly, or with {@code skew}: 80 % of them on 1 % of the aggregates). Ids are the prefix and
 * the command's index. Encoded once, up front,
 * so producing them measures Kafka, not Avro.
 */
final class CommandLoad {

    final byte[][] keys;
    final byte[][] values;
    final String[] ids;

    /**
     * @param withdrawals whether some commands are withdrawals (which overdrafts refuse); without
     *     them every command writes one event
     */
    CommandLoad(AvroWireCodec codec, String stream, int commands, int aggregates, boolean skew, boolean withdrawals, String idPrefix) {
        keys = new byte[commands][];
        values = new byte[commands][];
        ids = new String[commands];
        String topic = AggregateTopics.of(stream).commands();
        SplittableRandom random = new SplittableRandom(42);
        int hot = Math.max(1, aggregates / 100);
        for (int i = 0; i < commands; i++) {
            int aggregate;
            SpecificRecord command;
            if (i < aggregates) {
                aggregate = i;
                command = new OpenAccount("owner-" + i);
            } else {
                aggregate = skew && random.nextInt(100) < 80 ? random.nextInt(hot) : random.nextInt(aggregates);
                command = withdrawals && random.nextInt(3) == 0 ? new Withdraw(1L + random.nextInt(50)) : new Deposit(1L + random.nextInt(100));
            }
            keys[i] = ("acc-" + aggregate).getBytes(StandardCharsets.UTF_8);
            values[i] = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, command.getSchema()), command);
            ids[i] = idPrefix + i;
        }
    }

    int size() {
        return keys.length;
    }

    ProducerRecord<byte[], byte[]> record(String topic, int i) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, ids[i].getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, keys[i], values[i], headers);
    }

    /** Index of a command id of this load, or -1. */
    int indexOf(String commandId, String idPrefix) {
        if (commandId == null || !commandId.startsWith(idPrefix)) {
            return -1;
        }
        try {
            int i = Integer.parseInt(commandId, idPrefix.length(), commandId.length(), 10);
            return i < ids.length ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        return producer(bootstrap, lingerMs, 5);
    }

    /**
     * A plain producer with {@code acks=all}. One request in flight keeps batches in order when a
     * just-created partition bounces the first ones (NOT_LEADER_OR_FOLLOWER): with more, a later batch
     * can land first and leave the idempotent producer stuck on an out-of-order sequence.
     */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs, int maxInFlight) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, maxInFlight,
                ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Puts every command on the commands topic before a processor starts (not timed). */
    void preProduce(String bootstrap, String topic, IntConsumer progress) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 5, 1)) {
            send(producer, topic, progress);
        }
    }

    /**
     * The producer ceiling: every command to a topic nobody reads, as fast as a default producer
     * takes them, after one record per partition has made sure every partition has its leader.
     *
     * @return records per second, from the first send to the last acknowledgement
     */
    double produceAll(String bootstrap, String topic, int partitions, IntConsumer progress) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 5)) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, keys[0], values[0])).get();
            }
            long start = System.nanoTime();
            send(producer, topic, progress);
            return size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic, IntConsumer progress) {
        for (int i = 0; i < size(); i++) {
            producer.send(record(topic, i));
            if (i % 50_000 == 0) {
                progress.accept(i);
            }
        }
        producer.flush();
    }
}
