package foldstream.worker.gateway;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How one command is sent: its id (the idempotency key), the version the caller expects, the
 * correlation and causation ids, and how long to wait for the result.
 *
 * <pre>{@code
 * SendOptions.defaults().withExpectedVersion(3).withTimeout(Duration.ofSeconds(2))
 * }</pre>
 *
 * @param commandId the idempotency key; a retry with the same id never doubles events
 * @param expectedVersion -1 for any version, 0 for "must not exist yet", N for "must be at N"
 * @param correlationId carried through to events and results; null means the command id
 * @param causationId what caused this command (an event id or another command id); null for none
 * @param timeout how long the future waits for the result; a gateway cuts it to its {@code maxTimeout}
 *     ({@link CommandGateway#DEFAULT_MAX_TIMEOUT} unless made with another)
 */
public record SendOptions(String commandId, long expectedVersion, String correlationId, String causationId, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public SendOptions {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(timeout, "timeout");
        if (commandId.isEmpty()) {
            throw new IllegalArgumentException("commandId must not be empty");
        }
        if (expectedVersion < -1) {
            throw new IllegalArgumentException("expectedVersion must be -1 (any), 0 or a version, was " + expectedVersion);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** A fresh random command id, any version, the default timeout. */
    public static SendOptions defaults() {
        return new SendOptions(UUID.randomUUID().toString(), -1, null, null, DEFAULT_TIMEOUT);
    }

    public SendOptions withCommandId(String id) {
        return new SendOptions(id, expectedVersion, correlationId, causationId, timeout);
    }

    public SendOptions withExpectedVersion(long version) {
        return new SendOptions(commandId, version, correlationId, causationId, timeout);
    }

    public SendOptions withCorrelationId(String id) {
        return new SendOptions(commandId, expectedVersion, id, causationId, timeout);
    }

    public SendOptions withCausationId(String id) {
        return new SendOptions(commandId, expectedVersion, correlationId, id, timeout);
    }

    public SendOptions withTimeout(Duration wait) {
        return new SendOptions(commandId, expectedVersion, correlationId, causationId, wait);
    }
}
