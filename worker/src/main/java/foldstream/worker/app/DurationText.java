package foldstream.worker.app;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them in flags and environment variables: {@code 500ms}, {@code 10s},
 * {@code 2m}; a bare number is seconds.
 *
 * <pre>{@code
 * DurationText.parse("1500ms");            // PT1.5S
 * DurationText.format(Duration.ofSeconds(10));   // "10s"
 * }</pre>
 */
public final class DurationText {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private DurationText() {
    }

    /** @throws IllegalArgumentException saying what a duration looks like */
    public static Duration parse(String text) {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 500ms, 10s or 2m");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** {@code 10s}, {@code 1500ms}: the form {@link #parse} reads. */
    public static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
