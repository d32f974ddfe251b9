package foldstream.worker.runtime;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.CompatibilityCheck;
import foldstream.worker.serialization.IncompatibleSchemaException;
import foldstream.worker.serialization.RegisteredSchema;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;

/**
 * The start-up gate: before a worker processes anything, every schema its aggregate types write
 * (commands, events, {@code CommandResult}, state; see {@link ContractSchemas}) must be acceptable
 * to the registry. Schemas already registered under their subject pass as they are; new ones are
 * tested under the subject's compatibility level (the registry's global default, BACKWARD unless
 * changed). If any is incompatible, nothing is registered and the gate throws
 * {@link IncompatibleSchemaException} naming each subject, its latest version and Avro's reasons, so
 * a deploy with a breaking schema change stops before it writes data old readers cannot read.
 * Otherwise the new schemas are registered.
 *
 * <p>With auto-registration off ({@code auto.register.schemas=false}, for credentials that may only
 * read), the gate registers nothing: every schema must already be the latest version of its subject
 * (what the worker's writers then use), or the gate throws {@link UnregisteredSchemasException}
 * naming each subject that is missing or holds another schema, so the worker refuses to start.
 *
 * <pre>{@code
 * SchemaGate.Report report = new SchemaGate(registry).open(ExampleTypes.all());
 * report.registered().forEach(e -> log.info("registered {} version {} (id {})", e.subject(), e.version(), e.id()));
 * }</pre>
 */
public final class SchemaGate {

    private final SchemaRegistryClient registry;
    private final boolean autoRegister;

    public SchemaGate(SchemaRegistryClient registry) {
        this(registry, true);
    }

    /** @param autoRegister false: only check that every schema is its subject's latest version, register nothing */
    public SchemaGate(SchemaRegistryClient registry, boolean autoRegister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.autoRegister = autoRegister;
    }

    /** What the gate found and did, one entry per subject. */
    public record Report(List<Entry> entries) {
        public Report {
            entries = List.copyOf(entries);
        }

        /** The subjects that got a new version from this gate. */
        public List<Entry> registered() {
            return entries.stream().filter(Entry::newlyRegistered).toList();
        }
    }

    /** One subject: the record written under it, its global id and version there, and whether the gate registered it. */
    public record Entry(String subject, String recordName, int id, int version, boolean newlyRegistered) {
    }

    /**
     * Checks every schema of the types, then registers the new ones.
     *
     * @throws IncompatibleSchemaException when any schema is incompatible; nothing is registered then
     * @throws foldstream.worker.serialization.SchemaRegistryUnavailableException when the registry cannot be reached
     */
    public Report open(List<AggregateType<?>> types) {
        Map<String, Schema> wanted = new LinkedHashMap<>();
        for (AggregateType<?> type : types) {
            for (ContractSchemas.TopicSchema schema : ContractSchemas.of(type)) {
                wanted.putIfAbsent(schema.subject(), SpecificData.get().getSchema(schema.recordClass()));
            }
        }
        if (!autoRegister) {
            return checkOnly(wanted);
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Schema> toRegister = new LinkedHashMap<>();
        List<IncompatibleSchemaException.Refusal> refusals = new ArrayList<>();
        for (Map.Entry<String, Schema> subjectSchema : wanted.entrySet()) {
            String subject = subjectSchema.getKey();
            Schema schema = subjectSchema.getValue();
            RegisteredSchema existing = registeredAs(subject, schema);
            if (existing != null) {
                entries.add(new Entry(subject, schema.getFullName(), existing.id(), existing.version(), false));
                continue;
            }
            CompatibilityCheck check = registry.testCompatibility(subject, schema);
            if (check.compatible()) {
                toRegister.put(subject, schema);
            } else {
                RegisteredSchema latest = registry.latest(subject);
                refusals.add(new IncompatibleSchemaException.Refusal(subject, schema.getFullName(), latest.version(),
                        latest.id(), registry.compatibility(subject), check.messages()));
            }
        }
        if (!refusals.isEmpty()) {
            throw new IncompatibleSchemaException(refusals);
        }
        for (Map.Entry<String, Schema> subjectSchema : toRegister.entrySet()) {
            registry.register(subjectSchema.getKey(), subjectSchema.getValue());
            RegisteredSchema now = registry.lookup(subjectSchema.getKey(), subjectSchema.getValue());
            entries.add(new Entry(now.subject(), subjectSchema.getValue().getFullName(), now.id(), now.version(), true));
        }
        return new Report(entries);
    }

    private Report checkOnly(Map<String, Schema> wanted) {
        List<Entry> entries = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Schema> subjectSchema : wanted.entrySet()) {
            String subject = subjectSchema.getKey();
            Schema schema = subjectSchema.getValue();
            RegisteredSchema latest;
            try {
                latest = registry.latest(subject);
            } catch (SchemaRegistryException e) {
                if (e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND && e.errorCode() != SchemaRegistryException.VERSION_NOT_FOUND) {
                    throw e;
                }
                missing.add(subject + " (no version: register " + schema.getFullName() + ")");
                continue;
            }
            if (SchemaNormalization.parsingFingerprint64(latest.schema()) != SchemaNormalization.parsingFingerprint64(schema)) {
                missing.add(subject + " (its latest version " + latest.version() + " is not the schema of " + schema.getFullName()
                        + " this worker writes)");
                continue;
            }
            entries.add(new Entry(subject, schema.getFullName(), latest.id(), latest.version(), false));
        }
        if (!missing.isEmpty()) {
            throw new UnregisteredSchemasException(missing);
        }
        return new Report(entries);
    }

    private RegisteredSchema registeredAs(String subject, Schema schema) {
        try {
            return registry.lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }
}
