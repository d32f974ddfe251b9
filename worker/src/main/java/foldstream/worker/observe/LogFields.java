package foldstream.worker.observe;

import org.slf4j.MDC;

/**
 * The structured fields of a log line about one command, in SLF4J's MDC for the length of a
 * try-with-resources block (a JSON or MDC-aware layout shows them as fields), and as
 * {@code key=value} text for the plain format.
 *
 * <pre>{@code
 * try (LogFields fields = LogFields.command("ex_users", "u1", "c-17", "c-17", traceId)) {
 *     LOG.warn("command FAILED: {} {}", message, fields);
 * }
 * }</pre>
 */
public final class LogFields implements AutoCloseable {

    public static final String TYPE = "type";
    public static final String AGGREGATE_ID = "aggregateId";
    public static final String COMMAND_ID = "commandId";
    public static final String CORRELATION_ID = "correlationId";
    public static final String TRACE_ID = "traceId";
    private static final String[] KEYS = {TYPE, AGGREGATE_ID, COMMAND_ID, CORRELATION_ID, TRACE_ID};

    private final String[] values;

    private LogFields(String[] values) {
        this.values = values;
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                MDC.put(KEYS[i], values[i]);
            }
        }
    }

    /** Puts the fields of one command in the MDC until {@link #close}; null values are left out. */
    public static LogFields command(String type, String aggregateId, String commandId, String correlationId, String traceId) {
        return new LogFields(new String[] {type, aggregateId, commandId, correlationId, traceId});
    }

    /** {@code type=ex_users aggregateId=u1 commandId=c-17 ...}, the fields that are set. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                text.append(text.length() == 0 ? "" : " ").append(KEYS[i]).append('=').append(values[i]);
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                MDC.remove(KEYS[i]);
            }
        }
    }
}
