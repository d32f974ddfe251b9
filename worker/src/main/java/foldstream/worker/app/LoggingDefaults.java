package foldstream.worker.app;

/**
 * Default levels for slf4j-simple in the command-line programs: Foldstream at info, Kafka's
 * chatty clients and broker at warn. A {@code -Dorg.slf4j.simpleLogger...} given by the user wins.
 * Call it first in {@code main}, before any logger exists.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     LoggingDefaults.apply();
 *     ...
 * }
 * }</pre>
 */
public final class LoggingDefaults {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private LoggingDefaults() {
    }

    public static void apply() {
        setIfAbsent("defaultLogLevel", "info");
        setIfAbsent("log.org.apache.kafka", "warn");
        setIfAbsent("log.kafka", "warn");
        setIfAbsent("log.state.change.logger", "warn");
        // Warns of its routine activation on every start of a local broker.
        setIfAbsent("log.org.apache.kafka.controller.QuorumController", "error");
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
