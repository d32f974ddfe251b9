package foldstream.worker.runtime;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

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

    /**
     * On a record of {@code S-commands} that is an instruction to the worker rather than a command:
     * {@code replay} rebuilds the partition's snapshots from {@code S-events}. Its result goes to
     * {@code S-results} under its {@code command-id}.
     */
    public static final String CONTROL = "foldstream-control";
    public static final String CONTROL_REPLAY = "replay";

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

    public static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] utf8(long value) {
        return utf8(Long.toString(value));
    }
}
