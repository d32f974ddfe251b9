package foldstream.worker.runtime;

import foldstream.worker.serialization.SchemaRegistryException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' last line against a record that would be processed again forever. The processor
 * itself turns every bad record into a result ({@code MALFORMED} or {@code FAILED}) and checks every
 * output's size before forwarding, so these run only for what slips past it; {@link StreamsSettings}
 * sets both.
 */
public final class PoisonHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(PoisonHandlers.class);

    private PoisonHandlers() {
    }

    /**
     * An exception escaping the processor: the broker, a state store or the schema registry (a
     * {@link KafkaException} or a {@link SchemaRegistryException}) fails the thread, which is
     * replaced and processes the record again once they are back: nothing is lost. Anything else is a
     * defect in the record's handling that would fail the same way every time: it is logged at ERROR,
     * naming the record's place, and the record is skipped rather than blocking its partition forever.
     * A skipped command is answered {@code FAILED} in the same transaction ({@link SkippedCommands},
     * when the worker configures one under {@link SkippedCommands#CONFIG}).
     */
    public static final class Processing implements ProcessingExceptionHandler {

        private SkippedCommands skipped;

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (retriable(exception)) {
                return Response.fail();
            }
            LOG.error("skipping the record at {}/{}/{} (processor {}): it fails the same way every time it is processed, "
                            + "and would block its partition forever", context.topic(), context.partition(), context.offset(),
                    context.processorNodeId(), exception);
            return Response.resume(answer(context, exception));
        }

        private List<ProducerRecord<byte[], byte[]>> answer(ErrorHandlerContext context, Exception exception) {
            if (skipped == null) {
                return List.of();
            }
            try {
                return skipped.answer(context, exception);
            } catch (RuntimeException e) {
                LOG.error("the skipped record at {}/{}/{} could not be answered either", context.topic(), context.partition(),
                        context.offset(), e);
                return List.of();
            }
        }

        static boolean retriable(Throwable exception) {
            for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
                if (cause instanceof KafkaException || cause instanceof SchemaRegistryException) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void configure(Map<String, ?> configs) {
            if (configs.get(SkippedCommands.CONFIG) instanceof SkippedCommands configured) {
                skipped = configured;
            }
        }
    }

    /**
     * A record the producer or the broker refuses as too large (a topic whose {@code max.message.bytes}
     * is below the producer's {@code max.request.size}, the bound the processor checks outputs against):
     * logged at ERROR naming topic and size, and dropped instead of failing the thread on every retry.
     * Under {@code exactly_once_v2} the producer may still abort the transaction; lower
     * {@code producer.max.request.size} to the topics' limit so the processor answers {@code FAILED}
     * first. Every other production error keeps Kafka Streams' default (fail, and retry).
     */
    public static final class Production implements ProductionExceptionHandler {

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            if (exception instanceof RecordTooLargeException) {
                LOG.error("dropping a record of {} bytes for {} written for the command at {}/{}/{}: {}; set "
                                + "producer.max.request.size no larger than the topic's max.message.bytes",
                        OutputSizeGuard.size(record.key(), record.value(), record.headers()), record.topic(),
                        context.topic(), context.partition(), context.offset(), exception.getMessage());
                return Response.resume();
            }
            return Response.fail();
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
