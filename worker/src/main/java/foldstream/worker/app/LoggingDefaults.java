package foldstream.worker.app;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Foldstream's logging in the command-line programs (logback, when it is SLF4J's provider): to
 * stderr, Foldstream at info, Kafka's chatty clients and broker at warn, as text until the worker's
 * settings say {@code --log-format json}. A {@code -Dlogback.configurationFile=...} given by the user
 * wins: then neither call changes anything. Call {@link #apply} first in {@code main}, before
 * anything logs.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     LoggingDefaults.apply();
 *     ...
 * }
 * }</pre>
 */
public final class LoggingDefaults {

    private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

    private LoggingDefaults() {
    }

    /** Configures logging as text with Foldstream's levels. */
    public static void apply() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (configurable(factory)) {
            LogbackConsole.install((ch.qos.logback.classic.LoggerContext) factory, LogFormat.TEXT);
        }
    }

    /**
     * Switches the format of the logging {@link #apply} configured; does nothing where it did not
     * run (tests and programs that embed the worker keep their own logging).
     */
    public static void select(LogFormat format) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (configurable(factory)) {
            LogbackConsole.switchTo((ch.qos.logback.classic.LoggerContext) factory, format);
        }
    }

    // By class name: with another SLF4J provider no logback class is ever loaded.
    private static boolean configurable(ILoggerFactory factory) {
        return factory.getClass().getName().equals(LOGBACK_CONTEXT) && System.getProperty("logback.configurationFile") == null;
    }
}
