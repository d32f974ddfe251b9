package foldstream.worker.serialization;

/**
 * A refusal or failure of the schema registry, with Confluent's error code (for example 40401
 * subject not found, 40403 schema not found, 409 incompatible schema, 42201 invalid schema) and the
 * subject it concerns, when there is one.
 */
public class SchemaRegistryException extends RuntimeException {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** {@code GET /config/{subject}} without {@code defaultToGlobal}: the subject has no level of its own. */
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    /** {@code GET /mode/{subject}} without {@code defaultToGlobal}: the subject has no mode of its own. */
    public static final int SUBJECT_LEVEL_MODE_NOT_CONFIGURED = 40409;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int INVALID_MODE = 42204;
    /** The subject (or the registry) is read-only: {@code "Subject ... is in read-only mode"}. */
    public static final int OPERATION_NOT_PERMITTED = 42205;
    public static final int STORE_ERROR = 50001;

    private final int errorCode;
    private final String subject;
    private final String reason;

    public SchemaRegistryException(int errorCode, String subject, String message) {
        this(errorCode, subject, message, null);
    }

    public SchemaRegistryException(int errorCode, String subject, String message, Throwable cause) {
        super(message + " (error code " + errorCode + (subject == null ? "" : ", subject '" + subject + "'") + ")", cause);
        this.errorCode = errorCode;
        this.subject = subject;
        this.reason = message;
    }

    /** Confluent's error code: 40401, 40403, 409, 42201, ... */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's message alone, without the error code and subject that {@link #getMessage()} adds. */
    public String reason() {
        return reason;
    }

    /** The subject the call was about, or {@code null} (a lookup by id has none). */
    public String subject() {
        return subject;
    }
}
