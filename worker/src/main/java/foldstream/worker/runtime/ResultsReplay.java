package foldstream.worker.runtime;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a task's answered commands back from its partition of {@code S-results}: every result there
 * was written by the task owning that partition (results go to the partition their command came
 * from), in command order, and a remembered answer is exactly such a result's bytes. Read
 * {@code read_committed} up to the last stable offset at the start, with the reader pure event
 * sourcing rebuilds with ({@link EventLog}). A result is remembered again iff it was remembered when
 * written: its outcome is neither {@code FAILED} nor {@code MALFORMED} (those are decided afresh on a
 * retry), it has a key (the aggregate id), and it has not expired, counted from its {@code processedAt}.
 *
 * <pre>{@code
 * ResultsReplay.Replayed done = new ResultsReplay("ex_users", codec, new KafkaEventLog(), config, 3).writeBack(answered);
 * }</pre>
 */
final class ResultsReplay {

    private static final Logger LOG = LoggerFactory.getLogger(ResultsReplay.class);
    private static final int BATCH = 10_000;
    private static final Map<String, Class<? extends SpecificRecord>> RESULT =
            Map.of(CommandResult.getClassSchema().getFullName(), CommandResult.class);

    /** What a write-back read and remembered. */
    record Replayed(long read, long remembered, long unreadable, long millis) {
    }

    private final String typeName;
    private final AvroWireCodec codec;
    private final EventLog log;
    private final Map<String, Object> config;
    private final int partition;
    private final StrictUtf8 utf8 = new StrictUtf8();

    /**
     * @param log reads the partition ({@link KafkaEventLog}: {@code read_committed}, the restore consumer's settings)
     * @param config the application's Kafka Streams settings, for connecting the reader
     */
    ResultsReplay(String typeName, AvroWireCodec codec, EventLog log, Map<String, Object> config, int partition) {
        this.typeName = typeName;
        this.codec = codec;
        this.log = log;
        this.config = config;
        this.partition = partition;
    }

    /** Deletes every local answer, then remembers each committed result that was remembered when written. */
    Replayed writeBack(AnsweredCommands answered) {
        long started = System.nanoTime();
        answered.clear();
        long read = 0;
        long remembered = 0;
        long unreadable = 0;
        String topic = AggregateTopics.of(typeName).results();
        try (EventLog.Reader reader = log.open(config, topic, partition)) {
            long next = 0;
            List<AnsweredCommands.Answer> answers = new ArrayList<>(BATCH);
            while (next < reader.end()) {
                EventLog.Batch batch = reader.read(next, BATCH);
                answers.clear();
                for (ConsumerRecord<byte[], byte[]> record : batch.records()) {
                    read++;
                    Read what = answerOf(record);
                    if (what instanceof Read.ToRemember remember) {
                        answers.add(remember.answer());
                    } else if (what instanceof Read.Unreadable) {
                        unreadable++;
                    }
                }
                remembered += answered.rememberAll(answers);
                next = batch.next();
            }
        }
        Replayed done = new Replayed(read, remembered, unreadable, (System.nanoTime() - started) / 1_000_000);
        LOG.info("{} partition {}: answered commands written back from {}: {} results read, {} remembered, {} unreadable, in {} ms",
                typeName, partition, topic, done.read(), done.remembered(), done.unreadable(), done.millis());
        return done;
    }

    /** What one result record is to the answered commands. */
    sealed interface Read {
        /** It was remembered when written: remembered again (unless expired by now). */
        record ToRemember(AnsweredCommands.Answer answer) implements Read {
        }

        /** Never remembered: {@code FAILED}, {@code MALFORMED}, or without a key. */
        record NotRemembered() implements Read {
        }

        /** Not readable as a {@code CommandResult}: logged, left out. */
        record Unreadable(String reason) implements Read {
        }
    }

    /** Whether one result record was remembered when it was written, and as what. */
    Read answerOf(ConsumerRecord<byte[], byte[]> record) {
        String aggregateId = record.key() == null || record.key().length == 0 ? null : utf8.decode(record.key());
        if (aggregateId == null || record.value() == null) {
            return new Read.NotRemembered(); // a MALFORMED command's result
        }
        Decoded decoded = codec.decode(record.value(), RESULT);
        if (!(decoded instanceof Decoded.Record read)) {
            String reason = decoded instanceof Decoded.Unreadable why ? why.reason() : decoded.toString();
            LOG.warn("{}: result at {}/{}/{} not remembered again, it cannot be read as a CommandResult: {}", typeName, record.topic(),
                    record.partition(), record.offset(), reason);
            return new Read.Unreadable(reason);
        }
        CommandResult result = (CommandResult) read.record();
        if (result.getOutcome() == Outcome.FAILED || result.getOutcome() == Outcome.MALFORMED) {
            return new Read.NotRemembered();
        }
        return new Read.ToRemember(new AnsweredCommands.Answer(aggregateId, result.getCommandId(), record.value(),
                result.getProcessedAt().toEpochMilli()));
    }
}
