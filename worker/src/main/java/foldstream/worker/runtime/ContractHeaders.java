package foldstream.worker.runtime;

import foldstream.worker.observe.TraceHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The header names of the wire contract; values are UTF-8 text, numbers in decimal. */
public final class ContractHeaders {

    public static final String COMMAND_ID = "command-id";
    public static final String EXPECTED_VERSION = "expected-version";
    public static final String CORRELATION_ID = "correlation-id";
    public static final String CAUSATION_ID = "causation-id";
    public static final String AGGREGATE_VERSION = "aggregate-version";
    public static final String EVENT_ID = "event-id";
    public static final String EVENT_TYPE = "event-type";
    public static final String AGGREGATE_TYPE = "aggregate-type";
    /**
     * On commands a process manager sends, {@code <process>/<instance>}; the worker copies it onto the
     * command's result, which is how the result finds its way back to the instance.
     */
    public static final String PROCESS_ID = "process-id";

    /** On records sent to {@code S-dlq}: why the command could not be read, and where it came from. */
    public static final String DLQ_ERROR = "dlq-error";
    public static final String DLQ_SOURCE = "dlq-source";
    /** On a dead letter cut to fit the producer's limit: what was cut, with the original sizes. */
    public static final String DLQ_TRUNCATED = "dlq-truncated";

    private ContractHeaders() {
    }

    /** The last value of the header as text, or {@code null} when absent. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * The headers of a command's result (and of the state record it publishes): its id as
     * {@code command-id} and {@code causation-id}, its correlation id, its trace and, for a command a
     * process manager sent, its {@code process-id}.
     */
    static Headers ofResult(String commandId, String correlationId, TraceHeaders.Context trace, String processId) {
        Headers headers = new RecordHeaders()
                .add(COMMAND_ID, utf8(commandId))
                .add(CORRELATION_ID, utf8(correlationId))
                .add(CAUSATION_ID, utf8(commandId));
        trace.addTo(headers);
        return processId == null ? headers : headers.add(PROCESS_ID, utf8(processId));
    }

    public static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] utf8(long value) {
        return utf8(Long.toString(value));
    }
}
