package foldstream.ops.registry;

/**
 * Confluent's registry modes ({@code GET|PUT /mode[/{subject}]}), as far as this registry has them.
 * {@code READONLY} refuses new schemas (error 42205, "Subject ... is in read-only mode") on the
 * subjects it applies to; a subject's own mode overrides the global one, except when the global
 * mode is {@code READONLY_OVERRIDE}, which makes every subject read-only whatever its own mode.
 * {@code IMPORT} (registering with given ids) is not supported.
 */
public enum RegistryMode {
    READWRITE, READONLY, READONLY_OVERRIDE;

    boolean refusesWrites() {
        return this != READWRITE;
    }
}
