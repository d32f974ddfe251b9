package foldstream.ops.cli;

import foldstream.worker.app.DurationText;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as people type them: {@code 500ms}, {@code 10s}, {@code 2m}; a bare number is seconds ({@link DurationText}). */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code 10s}, {@code 1500ms}: the form the converter reads. */
    static String format(Duration duration) {
        return DurationText.format(duration);
    }
}
