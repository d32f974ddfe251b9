package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SchemaRegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
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

    @Test
    void aSkippedCommandIsAnsweredFailedOnItsResultsPartitionAndOtherRecordsAreOnlySkipped() {
        AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
        PoisonHandlers.Processing handler = new PoisonHandlers.Processing();
        handler.configure(Map.of(SkippedCommands.CONFIG, new SkippedCommands(List.of("ex_users"), codec,
                Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC))));
        Headers headers = new RecordHeaders().add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8("c-1"))
                .add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8("order-7"));

        ProcessingExceptionHandler.Response response = handler.handleError(command(headers), record, new IllegalStateException("a bug"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> answer = response.deadLetterQueueRecords().get(0);
        assertThat(answer.topic()).isEqualTo("ex_users-results");
        assertThat(answer.partition()).as("the command's partition, as the processor answers").isEqualTo(2);
        assertThat(answer.key()).isEqualTo("u1".getBytes(StandardCharsets.UTF_8));
        assertThat(ContractHeaders.text(answer.headers(), ContractHeaders.COMMAND_ID)).isEqualTo("c-1");
        assertThat(ContractHeaders.text(answer.headers(), ContractHeaders.CORRELATION_ID)).isEqualTo("order-7");
        CommandResult result = codec.decode(answer.value(), CommandResult.class);
        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.getCommandId()).isEqualTo("c-1");
        assertThat(result.getAggregateId()).isEqualTo("u1");
        assertThat(result.getMessage()).contains("ex_users-commands/2/17", "a bug", "skipped", "nothing was written");

        // Without a command id it is named by its place, as the processor names it.
        ProcessingExceptionHandler.Response unnamed = handler.handleError(command(new RecordHeaders()), record, new IllegalStateException("a bug"));
        assertThat(codec.decode(unnamed.deadLetterQueueRecords().get(0).value(), CommandResult.class).getCommandId())
                .isEqualTo("ex_users-commands/2/17");
        // A record that is not a command of a known type: skipped, no answer.
        ErrorHandlerContext event = contextOf("ex_users-events", headers);
        assertThat(handler.handleError(event, record, new IllegalStateException("a bug")).deadLetterQueueRecords()).isEmpty();
    }

    private static ErrorHandlerContext command(Headers headers) {
        return contextOf("ex_users-commands", headers);
    }

    private static ErrorHandlerContext contextOf(String topic, Headers headers) {
        return new ErrorHandlerContext() {
            public String topic() { return topic; }
            public int partition() { return 2; }
            public long offset() { return 17; }
            public Headers headers() { return headers; }
            public String processorNodeId() { return "ex_users-processor"; }
            public TaskId taskId() { return new TaskId(0, 2); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return "u1".getBytes(StandardCharsets.UTF_8); }
            public byte[] sourceRawValue() { return new byte[0]; }
        };
    }
}
