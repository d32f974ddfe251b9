package foldstream.worker.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The runnable worker's logging on logback: one console appender on stderr (stdout stays for the
 * programs' own output, such as {@code foldstream status --json}), Foldstream at info, Kafka's chatty
 * clients and broker at warn, lines as {@link LogFormat#TEXT text} or {@link LogFormat#JSON JSON}.
 * Only {@link LoggingDefaults} calls it, and only when logback is SLF4J's provider, so that the
 * worker used as a library with another binding never loads a logback class.
 */
final class LogbackConsole {

    /** The context property that says Foldstream configured this context, and in which format. */
    static final String FORMAT_PROPERTY = "foldstream.log.format";
    static final String APPENDER = "foldstream-console";
    /** Time, thread, level, the class and the message: {@code 12:00:01.234 [main] INFO WorkerMain - started}. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} [%thread] %level %logger{0} - %msg%n";

    private static final Map<String, Level> LEVELS = Map.of(
            "org.apache.kafka", Level.WARN,
            "kafka", Level.WARN,
            "state.change.logger", Level.WARN,
            // Warns of its routine activation on every start of a local broker.
            "org.apache.kafka.controller.QuorumController", Level.ERROR);

    private LogbackConsole() {
    }

    /** Replaces the context's configuration by Foldstream's, in this format. */
    static void install(LoggerContext context, LogFormat format) {
        context.reset();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setTarget("System.err");
        console.setEncoder(encoder(format, context));
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        context.putProperty(FORMAT_PROPERTY, format.name());
    }

    /**
     * Switches to this format if Foldstream configured the context ({@link #install}); a context
     * configured otherwise (a test's logback-test.xml, an embedding program's own) is left alone.
     */
    static void switchTo(LoggerContext context, LogFormat format) {
        String current = context.getProperty(FORMAT_PROPERTY);
        if (current != null && !current.equals(format.name())) {
            install(context, format);
        }
    }

    /** The started encoder of one line in this format. */
    static Encoder<ILoggingEvent> encoder(LogFormat format, LoggerContext context) {
        Encoder<ILoggingEvent> encoder = switch (format) {
            case TEXT -> {
                PatternLayoutEncoder text = new PatternLayoutEncoder();
                text.setPattern(TEXT_PATTERN);
                text.setCharset(StandardCharsets.UTF_8);
                yield text;
            }
            case JSON -> {
                // timestamp (epoch ms), level, threadName, loggerName, mdc, formattedMessage, throwable:
                // what a shipper indexes, without logback's context, sequence numbers and raw arguments.
                JsonEncoder json = new JsonEncoder();
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.setWithContext(false);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithFormattedMessage(true);
                yield json;
            }
        };
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }
}
