package foldstream.worker.app;

import java.util.Locale;

/**
 * How the runnable worker writes its log lines to stderr: {@code text} for people (the default),
 * {@code json} for log shippers, one JSON object per line with the command's fields
 * ({@code type}, {@code aggregateId}, {@code commandId}, {@code correlationId}, {@code traceId})
 * under {@code mdc}. Chosen with {@code --log-format} ({@code FOLDSTREAM_LOG_FORMAT}).
 *
 * <pre>{@code
 * LogFormat.parse("json");   // JSON
 * LogFormat.parse(null);     // TEXT
 * }</pre>
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** @throws InvalidSettingException naming {@link WorkerSetting#LOG_FORMAT} when the value is neither text nor json */
    public static LogFormat parse(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new InvalidSettingException(WorkerSetting.LOG_FORMAT, "must be text or json, not '" + value + "'");
        };
    }
}
