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
    /** How long a starting worker waits for Kafka: an ISO-8601 duration or {@code forever} ({@link BrokerWait}). */
    BROKER_WAIT,
    /** Pass-through Kafka / Kafka Streams properties; flag only ({@code --property KEY=VALUE}, repeatable). */
    PROPERTY;

    /** The command-line flag, for example {@code --bootstrap-servers}. */
    public String flag() {
        return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The environment variable, for example {@code FOLDSTREAM_BOOTSTRAP_SERVERS}; {@code null} for {@link #PROPERTY}. */
    public String envVar() {
        return this == PROPERTY ? null : "FOLDSTREAM_" + name();
    }

    /** How the setting is named in messages: {@code --threads (FOLDSTREAM_THREADS)}. */
    public String describe() {
        return envVar() == null ? flag() : flag() + " (" + envVar() + ")";
    }
}
