package foldstream.worker.app;

import foldstream.worker.observe.HealthSettings;
import java.time.Duration;
import java.util.function.Function;

/**
 * The worker's observability settings, read like the others from flags and environment variables:
 * {@code --stall-timeout} ({@code FOLDSTREAM_STALL_TIMEOUT}, default 60s) and
 * {@code --unreachable-timeout} ({@code FOLDSTREAM_UNREACHABLE_TIMEOUT}, default 60s) and
 * {@code --log-format} ({@code FOLDSTREAM_LOG_FORMAT}, text or json, default text).
 *
 * <pre>{@code
 * ObservabilitySettings settings = ObservabilitySettings.parse(setting -> setting == WorkerSetting.STALL_TIMEOUT ? "30s" : null);
 * settings.health().stallTimeout();   // PT30S
 * }</pre>
 */
public record ObservabilitySettings(HealthSettings health, LogFormat logFormat) {

    public static final ObservabilitySettings DEFAULTS = new ObservabilitySettings(HealthSettings.DEFAULTS, LogFormat.TEXT);

    /** @throws InvalidSettingException naming the setting */
    public static ObservabilitySettings parse(Function<WorkerSetting, String> text) {
        Duration stall = duration(text, WorkerSetting.STALL_TIMEOUT, HealthSettings.DEFAULT_STALL_TIMEOUT);
        Duration unreachable = duration(text, WorkerSetting.UNREACHABLE_TIMEOUT, HealthSettings.DEFAULT_UNREACHABLE_TIMEOUT);
        return new ObservabilitySettings(new HealthSettings(stall, unreachable), LogFormat.parse(text.apply(WorkerSetting.LOG_FORMAT)));
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}; a bare number is seconds; at least 1 ms. */
    private static Duration duration(Function<WorkerSetting, String> text, WorkerSetting setting, Duration absent) {
        String value = text.apply(setting);
        if (value == null || value.isBlank()) {
            return absent;
        }
        Duration duration;
        try {
            duration = DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(setting, e.getMessage());
        }
        if (duration.isZero()) {
            throw new InvalidSettingException(setting, "must be longer than 0");
        }
        return duration;
    }
}
