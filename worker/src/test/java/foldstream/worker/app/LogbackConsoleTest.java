package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.worker.observe.LogFields;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The worker's log lines as a log shipper and a person read them: real events, with the command's
 * fields in the MDC ({@link LogFields}), through the encoders {@code --log-format} picks.
 */
class LogbackConsoleTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("foldstream.test.LogbackConsoleTest");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void detach() {
        logger.detachAndStopAllAppenders();
    }

    private List<String> logFailedCommand(LogFormat format) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(LogbackConsole.encoder(format, context));
        appender.setOutputStream(out);
        appender.start();
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        try (LogFields fields = LogFields.command("ex_accounts", "acc-1", "cmd-7", "corr-3", "4bf92f3577b34da6a3ce929d0e0e4736")) {
            org.slf4j.Logger log = LoggerFactory.getLogger("foldstream.test.LogbackConsoleTest");
            log.warn("command FAILED: {} [{}]", "overdrawn", fields);
        }
        logger.info("after the command");
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonLinesCarryTimestampLevelLoggerMessageAndTheCommandsFields() throws Exception {
        List<String> lines = logFailedCommand(LogFormat.JSON);

        assertThat(lines).hasSize(2);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.get("timestamp").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("loggerName").asText()).isEqualTo("foldstream.test.LogbackConsoleTest");
        assertThat(line.get("formattedMessage").asText()).startsWith("command FAILED: overdrawn [type=ex_accounts aggregateId=acc-1");
        JsonNode mdc = line.get("mdc");
        assertThat(mdc.get(LogFields.TYPE).asText()).isEqualTo("ex_accounts");
        assertThat(mdc.get(LogFields.AGGREGATE_ID).asText()).isEqualTo("acc-1");
        assertThat(mdc.get(LogFields.COMMAND_ID).asText()).isEqualTo("cmd-7");
        assertThat(mdc.get(LogFields.CORRELATION_ID).asText()).isEqualTo("corr-3");
        assertThat(mdc.get(LogFields.TRACE_ID).asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");

        JsonNode after = new ObjectMapper().readTree(lines.get(1));
        assertThat(after.get("formattedMessage").asText()).isEqualTo("after the command");
        assertThat(after.has("mdc") && after.get("mdc").has(LogFields.TYPE)).as("fields end with the command: " + after).isFalse();
    }

    @Test
    void textLinesLookAsBeforeTimeThreadLevelShortLoggerMessage() {
        List<String> lines = logFailedCommand(LogFormat.TEXT);

        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.+] WARN LogbackConsoleTest - command FAILED: overdrawn "
                + "\\[type=ex_accounts aggregateId=acc-1 commandId=cmd-7 correlationId=corr-3 traceId=4bf92f3577b34da6a3ce929d0e0e4736]");
        assertThat(lines.get(1)).endsWith("INFO LogbackConsoleTest - after the command");
    }

    @Test
    void installSetsKafkaToWarnAndTheFormatSwitchesOnlyAContextFoldstreamConfigured() {
        LoggerContext own = new LoggerContext();
        LogbackConsole.switchTo(own, LogFormat.JSON);
        assertThat(own.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogbackConsole.APPENDER)).as("left alone").isNull();

        LogbackConsole.install(own, LogFormat.TEXT);
        assertThat(own.getLogger("org.apache.kafka.clients.consumer").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(own.getLogger("foldstream.worker.app.WorkerMain").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(encoderOf(own)).isInstanceOf(LayoutWrappingEncoder.class);

        LogbackConsole.switchTo(own, LogFormat.JSON);
        assertThat(encoderOf(own)).isInstanceOf(JsonEncoder.class);
        assertThat(own.getLogger("kafka.server").getEffectiveLevel()).isEqualTo(Level.WARN);
        own.stop();
    }

    private static Object encoderOf(LoggerContext context) {
        return ((OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogbackConsole.APPENDER)).getEncoder();
    }
}
