package foldstream.worker.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a throwable from the aggregate's own code ({@code initialState}, {@code decide},
 * {@code evolve}) means for the command: every {@link Exception} and {@link Error} fails the command
 * ({@code FAILED}, nothing written), including {@link StackOverflowError} and {@link OutOfMemoryError}
 * (the stack unwinds, and the failed allocation is gone with it). Other {@link VirtualMachineError}s
 * ({@link InternalError}, {@link UnknownError}) leave the JVM in doubt: they are logged at ERROR,
 * naming the command, and rethrown, so Kafka Streams replaces the thread.
 */
final class AggregateCode {

    private static final Logger LOG = LoggerFactory.getLogger(AggregateCode.class);

    private AggregateCode() {
    }

    /** Whether the command can be answered {@code FAILED} and the worker go on. */
    static boolean survivable(Throwable thrown) {
        return !(thrown instanceof VirtualMachineError) || thrown instanceof StackOverflowError || thrown instanceof OutOfMemoryError;
    }

    /** Returns when survivable; otherwise logs it and rethrows it. */
    static void rethrowUnlessSurvivable(Throwable thrown, String where) {
        if (survivable(thrown)) {
            return;
        }
        LOG.error("{}: the JVM reported {}; the stream thread stops and Kafka Streams replaces it", where, thrown, thrown);
        if (thrown instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(thrown);
    }

    /** {@code initialState()} threw: the command is {@code FAILED}. */
    static final class InitialStateException extends RuntimeException {
        InitialStateException(Throwable cause) {
            super("initialState threw " + cause, cause);
        }
    }
}
