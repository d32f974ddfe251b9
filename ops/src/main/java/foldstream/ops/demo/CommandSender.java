package foldstream.ops.demo;

import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts commands on their topics as any producer of the wire contract would: key the aggregate id,
 * value an Avro record in the Confluent wire format under the topic-record-name subject, and the
 * {@code command-id}, {@code correlation-id} and {@code expected-version} headers.
 *
 * <pre>{@code
 * try (CommandSender sender = new CommandSender("127.0.0.1:9092", codec)) {
 *     sender.send(step);
 * }
 * }</pre>
 */
public final class CommandSender implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final AvroWireCodec codec;

    public CommandSender(String bootstrapServers, AvroWireCodec codec) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "foldstream-demo-sender"),
                new StringSerializer(), new ByteArraySerializer());
        this.codec = codec;
    }

    /** Sends the command and waits until Kafka has it. */
    public RecordMetadata send(ScriptedCommand command) throws ExecutionException, InterruptedException, TimeoutException {
        byte[] value = command.payload() instanceof ScriptedCommand.Avro avro
                ? encode(command.topic(), avro.record())
                : ((ScriptedCommand.Raw) command.payload()).bytes();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(command.topic(), command.aggregateId(), value);
        record.headers()
                .add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(command.commandId()))
                .add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8("demo"));
        command.expectedVersion().ifPresent(version ->
                record.headers().add(ContractHeaders.EXPECTED_VERSION, ContractHeaders.utf8(version)));
        return producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private byte[] encode(String topic, SpecificRecord record) {
        return codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, record.getSchema()), record);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
