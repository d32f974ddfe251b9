package foldstream.worker.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.ControlResult;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads control instructions from {@code S-control} and writes their {@code ControlResult}s to
 * {@code S-control-results} (README, "Topics and records"). An instruction acts on the partition it
 * was written to; its result is keyed by that partition's number (decimal text) and written to the
 * same partition of {@code S-control-results}, by {@link #PARTITIONER}.
 */
final class ControlInstructions {

    /** What an instruction record turned out to be. */
    sealed interface Read permits Read.Instruction, Read.Unreadable {
        record Instruction(ControlAction action) implements Read {
        }

        record Unreadable(String reason) implements Read {
        }
    }

    /** Sends each result to the partition its key names. */
    static final StreamPartitioner<byte[], byte[]> PARTITIONER = new StreamPartitioner<>() {
        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
            return Optional.of(Set.of(Integer.parseInt(new String(key, StandardCharsets.UTF_8))));
        }
    };

    private static final Map<String, Class<? extends SpecificRecord>> TYPES =
            Map.of(ControlInstruction.getClassSchema().getFullName(), ControlInstruction.class);

    private final String typeName;
    private final AggregateTopics topics;
    private final AvroWireCodec codec;

    ControlInstructions(String typeName, AvroWireCodec codec) {
        this.typeName = typeName;
        this.topics = AggregateTopics.of(typeName);
        this.codec = codec;
    }

    boolean isControl(RecordMetadata where) {
        return where.topic().equals(topics.control());
    }

    Read read(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return new Read.Unreadable("the instruction has no value: it must be a ControlInstruction");
        }
        Decoded decoded = codec.decode(record.value(), TYPES);
        if (decoded instanceof Decoded.Record instruction) {
            return new Read.Instruction(((ControlInstruction) instruction.record()).getAction());
        }
        return new Read.Unreadable(decoded instanceof Decoded.Unreadable unreadable ? unreadable.reason()
                : "not a ControlInstruction: " + ((Decoded.UnknownType) decoded).fullName());
    }

    /** The result of an instruction, as the record to forward to {@code S-control-results}. */
    Record<byte[], byte[]> result(Record<byte[], byte[]> instruction, RecordMetadata where, ControlAction action,
                                  ControlOutcome outcome, long eventsFolded, long aggregatesRebuilt, String errorCode,
                                  String message, long now) {
        String id = ContractHeaders.text(instruction.headers(), ContractHeaders.COMMAND_ID);
        if (id == null || id.isEmpty()) {
            id = CommandProcessor.source(where.topic(), where.partition(), where.offset());
        }
        String correlation = ContractHeaders.text(instruction.headers(), ContractHeaders.CORRELATION_ID);
        ControlResult result = new ControlResult(id, typeName, where.partition(), action, outcome, eventsFolded, aggregatesRebuilt,
                errorCode, message, Instant.ofEpochMilli(now));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topics.controlResults(), result.getSchema()), result);
        Headers headers = new RecordHeaders()
                .add(ContractHeaders.COMMAND_ID, utf8(id))
                .add(ContractHeaders.CORRELATION_ID, utf8(correlation == null || correlation.isEmpty() ? id : correlation))
                .add(ContractHeaders.CAUSATION_ID, utf8(id));
        return new Record<>(utf8(Integer.toString(where.partition())), value, instruction.timestamp(), headers);
    }
}
