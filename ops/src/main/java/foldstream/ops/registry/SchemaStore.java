package foldstream.ops.registry;

import foldstream.worker.serialization.CompatibilityLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state, folded from the schemas topic in order. Every server applies the same rules
 * to the same records in the same order, so every server arrives at the same state; that is what
 * keeps ids unique with several writers. A registration is refused (ignored) when:
 * <ul>
 *   <li>its id already belongs to a different schema;</li>
 *   <li>its schema already has a different id (one id per distinct schema, across subjects);</li>
 *   <li>its version is not the subject's next one, or the subject already holds that schema;</li>
 *   <li>its schema text does not parse.</li>
 * </ul>
 * The writer whose record was refused sees that once it reads its own record back, and tries again
 * from the newer state. Thread-safe.
 */
final class SchemaStore {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);

    /** One version of a subject. */
    record Version(String subject, int version, int id, Schema schema) {
        String text() {
            return schema.toString();
        }
    }

    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private final Map<String, RegistryMode> subjectModes = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private RegistryMode globalMode = RegistryMode.READWRITE;
    private int maxId;

    /** Applies one record of the topic; false when the rules above refuse it. */
    synchronized boolean apply(LogEntry entry) {
        if (entry instanceof LogEntry.ModeChange change) {
            if (change.subject() == null) {
                globalMode = change.mode();
            } else {
                subjectModes.put(change.subject(), change.mode());
            }
            return true;
        }
        if (entry instanceof LogEntry.ConfigChange config) {
            if (config.subject() == null) {
                globalLevel = config.level();
            } else {
                subjectLevels.put(config.subject(), config.level());
            }
            return true;
        }
        LogEntry.SchemaVersion registration = (LogEntry.SchemaVersion) entry;
        Schema schema;
        try {
            schema = new Schema.Parser().parse(registration.schema());
        } catch (SchemaParseException e) {
            LOG.warn("ignoring a registration of subject '{}' whose schema does not parse: {}", registration.subject(), e.getMessage());
            return false;
        }
        String text = schema.toString();
        Schema holder = schemasById.get(registration.id());
        Integer knownId = idsByText.get(text);
        List<Version> versions = subjects.getOrDefault(registration.subject(), List.of());
        boolean idTaken = holder != null && !holder.toString().equals(text);
        boolean otherId = knownId != null && knownId != registration.id();
        boolean notNext = registration.version() != versions.size() + 1;
        boolean alreadyThere = versions.stream().anyMatch(v -> v.text().equals(text));
        if (idTaken || otherId || notNext || alreadyThere || registration.id() <= 0) {
            return false;
        }
        schemasById.put(registration.id(), schema);
        idsByText.put(text, registration.id());
        subjects.computeIfAbsent(registration.subject(), s -> new ArrayList<>())
                .add(new Version(registration.subject(), registration.version(), registration.id(), schema));
        maxId = Math.max(maxId, registration.id());
        return true;
    }

    synchronized Optional<Schema> schema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The id the schema has in any subject, if it was registered before. */
    synchronized Optional<Integer> idOf(Schema schema) {
        return Optional.ofNullable(idsByText.get(schema.toString()));
    }

    /** The id a new schema gets: one more than the highest seen so far. */
    synchronized int nextId() {
        return maxId + 1;
    }

    synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** The subject's versions, oldest first; empty when the subject is unknown. */
    synchronized List<Version> versions(String subject) {
        return List.copyOf(subjects.getOrDefault(subject, List.of()));
    }

    /** The version of the subject that is this schema, if any. */
    synchronized Optional<Version> find(String subject, Schema schema) {
        String text = schema.toString();
        return subjects.getOrDefault(subject, List.of()).stream().filter(v -> v.text().equals(text)).findFirst();
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** The level set for the subject itself, if any. */
    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** The level that applies to the subject: its own, or the global one. */
    synchronized CompatibilityLevel level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    synchronized RegistryMode globalMode() {
        return globalMode;
    }

    /** The mode set for the subject itself, if any. */
    synchronized Optional<RegistryMode> subjectMode(String subject) {
        return Optional.ofNullable(subjectModes.get(subject));
    }

    /** The mode that applies to the subject: READONLY_OVERRIDE globally, else its own, else the global one. */
    synchronized RegistryMode mode(String subject) {
        if (globalMode == RegistryMode.READONLY_OVERRIDE) {
            return globalMode;
        }
        return subjectModes.getOrDefault(subject, globalMode);
    }
}
