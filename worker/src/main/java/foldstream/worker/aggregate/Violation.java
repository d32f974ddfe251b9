package foldstream.worker.aggregate;

import java.util.Objects;

/**
 * One refused field of a command, with a message for a person (Ecto's changeset errors in the seed).
 *
 * <pre>{@code new Violation("name", "at least 6 characters") }</pre>
 */
public record Violation(String field, String message) {
    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }
}
