package foldstream.worker.runtime;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.observe.TraceHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * The answer to a command that Kafka Streams' last-resort handler ({@link PoisonHandlers.Processing})
 * skips: a {@code FAILED} result on {@code S-results}, to the partition the command came from, as the
 * processor writes its own. The processor answers every bad command itself, so this answers only what
 * a defect lets slip past it; without it such a command got no result at all, and its sender waited
 * for one until its own timeout. Like every {@code FAILED}, it is not remembered: a retry with the
 * same id is decided afresh.
 *
 * <pre>{@code
 * config.put(SkippedCommands.CONFIG, new SkippedCommands(typeNames, codec, Clock.systemUTC()));
 * }</pre>
 */
public final class SkippedCommands {

    /** The Kafka Streams configuration key under which the worker hands this to the handler. */
    public static final String CONFIG = "foldstream.skipped.commands";

    private final Map<String, AggregateTopics> byCommandTopic = new HashMap<>();
    private final AvroWireCodec codec;
    private final Clock clock;

    /** @param typeNames the aggregate types whose {@code S-commands} records are answered */
    public SkippedCommands(Collection<String> typeNames, AvroWireCodec codec, Clock clock) {
        for (String type : typeNames) {
            AggregateTopics topics = AggregateTopics.of(type);
            byCommandTopic.put(topics.commands(), topics);
        }
        this.codec = codec;
        this.clock = clock;
    }

    /** The {@code FAILED} result for the skipped record, or nothing when it is not a command of a known type. */
    List<ProducerRecord<byte[], byte[]>> answer(ErrorHandlerContext skipped, Exception why) {
        AggregateTopics topics = byCommandTopic.get(skipped.topic());
        if (topics == null) {
            return List.of();
        }
        StrictUtf8 utf8 = new StrictUtf8();
        String source = CommandProcessor.source(skipped.topic(), skipped.partition(), skipped.offset());
        String commandId = text(utf8, skipped.headers(), ContractHeaders.COMMAND_ID, CommandLimits.DEFAULTS.commandIdBytes());
        if (commandId == null || commandId.isEmpty()) {
            commandId = source; // as the processor names a command that came without an id
        }
        String correlationId = text(utf8, skipped.headers(), ContractHeaders.CORRELATION_ID, CommandLimits.DEFAULTS.commandIdBytes());
        byte[] key = skipped.sourceRawKey();
        String aggregateId = key == null || key.length > CommandLimits.DEFAULTS.aggregateIdBytes() ? null : utf8.decode(key);
        CommandResult result = new CommandResult(commandId, topics.streamName(), aggregateId, Outcome.FAILED, 0L, 0, Outcome.FAILED.name(),
                "the worker could not process the command at " + source + " (" + why + "); it was skipped, nothing was written",
                List.of(), clock.instant());
        Headers headers = ContractHeaders.ofResult(commandId, correlationId == null || correlationId.isEmpty() ? commandId : correlationId,
                TraceHeaders.of(skipped.headers()), ContractHeaders.text(skipped.headers(), ContractHeaders.PROCESS_ID));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topics.results(), result.getSchema()), result);
        return List.of(new ProducerRecord<>(topics.results(), skipped.partition(), skipped.timestamp(), key, value, headers));
    }

    private static String text(StrictUtf8 utf8, Headers headers, String name, int maxBytes) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null || header.value().length > maxBytes ? null : utf8.decode(header.value());
    }
}
