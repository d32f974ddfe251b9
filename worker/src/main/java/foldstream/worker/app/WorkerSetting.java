package foldstream.worker.app;

import java.util.Locale;

/**
 * The settings of a worker, each with its command-line flag and environment variable, so that an
 * error can name the setting the way the user wrote it.
 *
 * <pre>{@code
 * WorkerSetting.THREADS.flag()    // "--threads"
 * WorkerSetting.THREADS.envVar()  // "FOLDSTREAM_THREADS"
 * }</pre>
 */
public enum WorkerSetting {
    BOOTSTRAP_SERVERS,
    SCHEMA_REGISTRY_URL,
    APPLICATION_ID,
    STATE_DIR,
    THREADS,
    TYPES,
    PARTITIONS,
    HTTP_PORT,
    REPLICATION_FACTOR,
    /** How long a partition with commands waiting may decide nothing before /health fails (docs/observability.md). */
    STALL_TIMEOUT,
    /** How long the broker or the registry may not answer before /health fails. */
    UNREACHABLE_TIMEOUT,
    /** Process managers to run; see {@link ProcessSettings}. */
    PROCESSES,
    /** How long finished process instances are kept; see {@link ProcessSettings}. */
    PROCESS_RETENTION,
    /** The projections to run (default: those of the types run; {@code none}: none). */
    PROJECTIONS,
    /** Where JDBC projections write; without it they do not run. */
    PROJECTION_JDBC_URL,
    /** The table of JDBC projections' positions. */
    PROJECTION_POSITIONS_TABLE,
    /** How long a starting worker waits for Kafka: an ISO-8601 duration or {@code forever} ({@link BrokerWait}). */
    BROKER_WAIT,
    /** How log lines are written: {@code text} or {@code json} ({@link LogFormat}). */
    LOG_FORMAT,
    // The HTTP API's limits, TLS and credentials (HttpApiSettings; docs/security.md).
    HTTP_MAX_BODY_BYTES,
    HTTP_MAX_HEADER_BYTES,
    HTTP_IDLE_TIMEOUT_MS,
    HTTP_REQUEST_TIMEOUT_MS,
    HTTP_MAX_THREADS,
    HTTP_MAX_CONNECTIONS,
    HTTP_MAX_WAIT_MS,
    HTTP_COMMAND_TIMEOUT_MS,
    HTTP_KEY_STORE,
    HTTP_KEY_STORE_PASSWORD_FILE,
    /** Environment variable only: a password on the command line would show in {@code ps}. */
    HTTP_KEY_STORE_PASSWORD,
    HTTP_TRUST_STORE,
    HTTP_TRUST_STORE_PASSWORD_FILE,
    /** Environment variable only, as {@link #HTTP_KEY_STORE_PASSWORD}. */
    HTTP_TRUST_STORE_PASSWORD,
    HTTP_CLIENT_AUTH,
    HTTP_ACCESS_FILE,
    HTTP_FORWARD_TOKEN_FILE,
    HTTP_OPEN_PROBES,
    HTTP_INSECURE,
    /** Pass-through Kafka / Kafka Streams properties; flag only ({@code --property KEY=VALUE}, repeatable). */
    PROPERTY;

    /** The command-line flag, for example {@code --bootstrap-servers}; {@code null} for the passwords (variables only). */
    public String flag() {
        return this == HTTP_KEY_STORE_PASSWORD || this == HTTP_TRUST_STORE_PASSWORD ? null
                : "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The environment variable, for example {@code FOLDSTREAM_BOOTSTRAP_SERVERS}; {@code null} for {@link #PROPERTY}. */
    public String envVar() {
        return this == PROPERTY ? null : "FOLDSTREAM_" + name();
    }

    /** How the setting is named in messages: {@code --threads (FOLDSTREAM_THREADS)}. */
    public String describe() {
        return envVar() == null ? flag() : flag() == null ? envVar() : flag() + " (" + envVar() + ")";
    }
}
