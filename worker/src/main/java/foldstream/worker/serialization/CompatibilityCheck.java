package foldstream.worker.serialization;

import java.util.List;

/** The answer to a compatibility test: compatible or not, and Avro's reasons when not. */
public record CompatibilityCheck(boolean compatible, List<String> messages) {
    public CompatibilityCheck {
        messages = List.copyOf(messages);
    }

    public static CompatibilityCheck ok() {
        return new CompatibilityCheck(true, List.of());
    }
}
