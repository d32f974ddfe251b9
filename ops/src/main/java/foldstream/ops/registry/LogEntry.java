package foldstream.ops.registry;

import foldstream.worker.serialization.CompatibilityLevel;

/** One record of the schemas topic: a registration, a change of compatibility level or of mode. */
sealed interface LogEntry permits LogEntry.SchemaVersion, LogEntry.ConfigChange, LogEntry.ModeChange {

    /** Version {@code version} of {@code subject} is the schema with global id {@code id}; {@code schema} is its canonical text. */
    record SchemaVersion(String subject, int version, int id, String schema) implements LogEntry {
    }

    /** The compatibility level of {@code subject}, or the global one when {@code subject} is null. */
    record ConfigChange(String subject, CompatibilityLevel level) implements LogEntry {
    }

    /** The mode of {@code subject}, or the global one when {@code subject} is null. */
    record ModeChange(String subject, RegistryMode mode) implements LogEntry {
    }
}
