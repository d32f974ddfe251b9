package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.serialization.SchemaRegistryUnavailableException;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class PoisonHandlersTest {

    private static final ErrorHandlerContext AT = new ErrorHandlerContext() {
        public String topic() { return "ex_users-commands"; }
        public int partition() { return 2; }
        public long offset() { return 17; }
        public Headers headers() { return new RecordHeaders(); }
        public String processorNodeId() { return "ex_users-processor"; }
        public TaskId taskId() { return new TaskId(0, 2); }
        public long timestamp() { return 0; }
        public byte[] sourceRawKey() { return null; }
        public byte[] sourceRawValue() { return null; }
    };

    private final Record<byte[], byte[]> record = new Record<>(new byte[0], new byte[0], 0L);

    @Test
    void theWorkerStartsWithBothHandlersAndItsTimestampExtractor() {
        Map<String, Object> settings = StreamsSettings.defaults("app", "localhost:9092");
        assertThat(settings).containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonHandlers.Processing.class)
                .containsEntry(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, PoisonHandlers.Production.class)
                .containsEntry(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, CommandTimestamps.class);
    }

    @Test
    void theBrokerStoresAndRegistryAreRetriedAnyOtherEscapingExceptionIsSkipped() {
        PoisonHandlers.Processing handler = new PoisonHandlers.Processing();
        assertThat(handler.handleError(AT, record, new TimeoutException("broker")).result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(handler.handleError(AT, record, new ProcessorStateException("rocksdb")).result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(handler.handleError(AT, record, new SchemaRegistryUnavailableException("s-value", "down", null)).result())
                .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(handler.handleError(AT, record, new IllegalStateException("a bug that fails every time")).result())
                .isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    }

    @Test
    void onlyARecordTooLargeIsDroppedOtherProductionErrorsFail() {
        PoisonHandlers.Production handler = new PoisonHandlers.Production();
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>("ex_users-results", new byte[2_000_000]);
        assertThat(handler.handleError(AT, out, new RecordTooLargeException("too large")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(handler.handleError(AT, out, new IllegalStateException("other")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }
}
