package foldstream.ops.registry;

import foldstream.worker.serialization.CompatibilityLevel;
import foldstream.worker.serialization.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * What the registry does, apart from HTTP: registration with compatibility checks, look-ups and
 * compatibility levels. Refusals are {@link SchemaRegistryException}s with Confluent's error codes.
 *
 * <p>Writes go through the schemas topic: a registration picks the subject's next version and an id
 * (the schema's existing id, or one above the highest seen), appends that, and answers once it has
 * read its own record back. If another server's record got there first (same id, same version), the
 * store refused ours; the state now includes theirs, so we check and pick again. Registrations of one
 * server are serialized, so conflicts only arise between servers, and each retry sees a newer state.
 * A look-up that misses reads the topic to its end before it answers "not found", so a schema
 * registered through another server is found at once.
 */
final class RegistryService {

    private static final int MAX_ATTEMPTS = 20;

    private final SchemaStore store;
    private final SchemaLog log;
    private final Object writes = new Object();

    RegistryService(SchemaStore store, SchemaLog log) {
        this.store = store;
        this.log = log;
    }

    /** Registers the schema under the subject (idempotent) and returns its global id. */
    int register(String subject, String schemaText, String schemaType) {
        Schema schema = parse(subject, schemaText, schemaType);
        synchronized (writes) {
            log.catchUp();
            if (store.mode(subject).refusesWrites()) {
                throw new SchemaRegistryException(SchemaRegistryException.OPERATION_NOT_PERMITTED, subject,
                        "Subject " + subject + " is in read-only mode");
            }
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Optional<SchemaStore.Version> existing = store.find(subject, schema);
                if (existing.isPresent()) {
                    return existing.get().id();
                }
                List<SchemaStore.Version> versions = store.versions(subject);
                CompatibilityLevel level = store.level(subject);
                List<String> reasons = level.check(schema, schemas(versions));
                if (!reasons.isEmpty()) {
                    throw new SchemaRegistryException(SchemaRegistryException.INCOMPATIBLE_SCHEMA, subject,
                            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                    + "\" under " + level + ", details: " + reasons);
                }
                int id = store.idOf(schema).orElseGet(store::nextId);
                int version = versions.size() + 1;
                log.append(new LogEntry.SchemaVersion(subject, version, id, schema.toString()));
                Optional<SchemaStore.Version> mine = store.find(subject, schema);
                if (mine.isPresent()) {
                    return mine.get().id();
                }
            }
        }
        throw new SchemaRegistryException(SchemaRegistryException.STORE_ERROR, subject,
                "could not register after " + MAX_ATTEMPTS + " attempts: other servers kept taking the same ids");
    }

    /** The version of the subject that is this schema; 40401 or 40403 when there is none. */
    SchemaStore.Version lookup(String subject, String schemaText, String schemaType) {
        Schema schema = parse(subject, schemaText, schemaType);
        return orAfterCatchUp(() -> store.find(subject, schema)).orElseThrow(() -> store.versions(subject).isEmpty()
                ? subjectNotFound(subject)
                : new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, subject, "Schema not found"));
    }

    Schema schemaById(int id) {
        return orAfterCatchUp(() -> store.schema(id)).orElseThrow(() ->
                new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, null, "Schema " + id + " not found"));
    }

    List<String> subjects() {
        return store.subjects();
    }

    List<SchemaStore.Version> versions(String subject) {
        List<SchemaStore.Version> versions = orAfterCatchUp(() -> Optional.of(store.versions(subject)).filter(v -> !v.isEmpty()))
                .orElseThrow(() -> subjectNotFound(subject));
        return versions;
    }

    /**
     * One version of a subject.
     *
     * @param versionId a version number from 1, or {@code latest} (or -1)
     */
    SchemaStore.Version version(String subject, String versionId) {
        List<SchemaStore.Version> versions = versions(subject);
        int number = versionNumber(subject, versionId, versions.size());
        if (number < 1 || number > versions.size()) {
            throw new SchemaRegistryException(SchemaRegistryException.VERSION_NOT_FOUND, subject, "Version " + versionId + " not found.");
        }
        return versions.get(number - 1);
    }

    /**
     * Whether the schema could follow the subject's versions under its level.
     *
     * @param versionId one version to test against ({@code latest} or a number), or {@code null} for
     *     the versions the level itself names (as registration does)
     */
    List<String> compatibilityProblems(String subject, String versionId, String schemaText, String schemaType) {
        Schema schema = parse(subject, schemaText, schemaType);
        CompatibilityLevel level = store.level(subject);
        if (versionId == null) {
            return level.check(schema, schemas(store.versions(subject)));
        }
        return level.check(schema, List.of(version(subject, versionId).schema()));
    }

    CompatibilityLevel globalLevel() {
        return store.globalLevel();
    }

    /** The subject's own level, or the global one when asked to default to it; 40408 when neither. */
    CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        Optional<CompatibilityLevel> own = store.subjectLevel(subject);
        if (own.isPresent() || defaultToGlobal) {
            return own.orElse(store.globalLevel());
        }
        throw new SchemaRegistryException(SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED, subject,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    /** Sets the subject's level, or the global one when {@code subject} is null. */
    CompatibilityLevel setLevel(String subject, String levelName) {
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.valueOf(levelName == null ? "" : levelName.trim());
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, subject,
                    "Invalid compatibility level '" + levelName + "'. Valid values are " + List.of(CompatibilityLevel.values()));
        }
        synchronized (writes) {
            log.append(new LogEntry.ConfigChange(subject, level));
        }
        return level;
    }

    RegistryMode globalMode() {
        return store.globalMode();
    }

    /** The subject's own mode, or the one that applies to it when asked to default to the global one; 40409 when neither. */
    RegistryMode subjectMode(String subject, boolean defaultToGlobal) {
        Optional<RegistryMode> own = store.subjectMode(subject);
        if (defaultToGlobal) {
            return store.mode(subject);
        }
        return own.orElseThrow(() -> new SchemaRegistryException(SchemaRegistryException.SUBJECT_LEVEL_MODE_NOT_CONFIGURED, subject,
                "Subject '" + subject + "' does not have subject-level mode configured"));
    }

    /** Sets the subject's mode, or the global one when {@code subject} is null. */
    RegistryMode setMode(String subject, String modeName) {
        RegistryMode mode;
        try {
            mode = RegistryMode.valueOf(modeName == null ? "" : modeName.trim());
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_MODE, subject,
                    "Invalid mode. Valid values are " + List.of(RegistryMode.values()));
        }
        if (mode == RegistryMode.READONLY_OVERRIDE && subject != null) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_MODE, subject,
                    "Invalid mode. READONLY_OVERRIDE applies to the whole registry only");
        }
        synchronized (writes) {
            log.append(new LogEntry.ModeChange(subject, mode));
        }
        return mode;
    }

    private <T> Optional<T> orAfterCatchUp(Supplier<Optional<T>> read) {
        Optional<T> found = read.get();
        if (found.isPresent()) {
            return found;
        }
        log.catchUp();
        return read.get();
    }

    private static int versionNumber(String subject, String versionId, int latest) {
        if ("latest".equals(versionId) || "-1".equals(versionId)) {
            return latest;
        }
        try {
            int number = Integer.parseInt(versionId);
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_VERSION, subject,
                    "The specified version '" + versionId + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
    }

    private static Schema parse(String subject, String schemaText, String schemaType) {
        if (schemaType != null && !schemaType.isEmpty() && !"AVRO".equals(schemaType)) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, subject,
                    "Invalid schema type " + schemaType + ": this registry holds Avro schemas only");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, subject, "Empty schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (RuntimeException e) {
            // Avro reports bad schemas as several exception types (parse, type, bad defaults).
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, subject, "Invalid schema: " + e.getMessage(), e);
        }
    }

    private static List<Schema> schemas(List<SchemaStore.Version> versions) {
        List<Schema> schemas = new ArrayList<>(versions.size());
        for (SchemaStore.Version version : versions) {
            schemas.add(version.schema());
        }
        return schemas;
    }

    private static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(SchemaRegistryException.SUBJECT_NOT_FOUND, subject, "Subject '" + subject + "' not found.");
    }
}
