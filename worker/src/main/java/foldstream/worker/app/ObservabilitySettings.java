package foldstream.worker.app;

import foldstream.worker.observe.HealthSettings;
import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worker's observability settings, read like the others from flags and environment variables:
 * {@code --stall-timeout} ({@code FOLDSTREAM_STALL_TIMEOUT}, default 60s) and
 * {@code --unreachable-timeout} ({@code FOLDSTREAM_UNREACHABLE_TIMEOUT}, default 60s).
 *
 * <pre>{@code
 * ObservabilitySettings settings = ObservabilitySettings.parse(setting -> setting == WorkerSetting.STALL_TIMEOUT ? "30s" : null);
 * settings.health().stallTimeout();   // PT30S
 * }</pre>
 */
public record ObservabilitySettings(HealthSettings health) {

    public static final ObservabilitySettings DEFAULTS = new ObservabilitySettings(HealthSettings.DEFAULTS);

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    /** @throws InvalidSettingException naming the setting */
    public static ObservabilitySettings parse(Function<WorkerSetting, String> text) {
        Duration stall = duration(text, WorkerSetting.STALL_TIMEOUT, HealthSettings.DEFAULT_STALL_TIMEOUT);
        Duration unreachable = duration(text, WorkerSetting.UNREACHABLE_TIMEOUT, HealthSettings.DEFAULT_UNREACHABLE_TIMEOUT);
        return new ObservabilitySettings(new HealthSettings(stall, unreachable));
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}; a bare number is seconds; at least 1 ms. */
    private static Duration duration(Function<WorkerSetting, String> text, WorkerSetting setting, Duration absent) {
        String value = text.apply(setting);
        if (value == null || value.isBlank()) {
            return absent;
        }
        Matcher matcher = DURATION.matcher(value.trim());
        if (!matcher.matches()) {
            throw new InvalidSettingException(setting, "'" + value + "' is not a duration such as 500ms, 10s or 2m");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.isZero()) {
            throw new InvalidSettingException(setting, "must be longer than 0");
        }
        return duration;
    }
}
