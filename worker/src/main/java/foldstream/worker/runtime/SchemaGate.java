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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
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

    /** Subjects checked (or registered) at a time: enough to hide round trips, few enough not to crowd the registry. */
    private static final int CONCURRENT_SUBJECTS = 8;

    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final Known known;

    /** Told each subject's schema id as the gate learns it. */
    @FunctionalInterface
    public interface Known {
        void id(String subject, Schema schema, int id);
    }

    public SchemaGate(SchemaRegistryClient registry) {
        this(registry, true);
    }

    /** @param autoRegister false: only check that every schema is its subject's latest version, register nothing */
    public SchemaGate(SchemaRegistryClient registry, boolean autoRegister) {
        this(registry, autoRegister, (subject, schema, id) -> { });
    }

    /**
     * As above, telling {@code known} every id it checked or registered, e.g. {@code codec::remember},
     * so that the worker's writers do not ask the registry again for each subject.
     */
    public SchemaGate(SchemaRegistryClient registry, boolean autoRegister, Known known) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.autoRegister = autoRegister;
        this.known = Objects.requireNonNull(known, "known");
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
        // Each subject is a few registry round trips of its own: side by side, so that a worker of
        // many types (20 types are ~180 subjects) does not wait for them one after the other.
        ExecutorService calls = Executors.newFixedThreadPool(Math.max(1, Math.min(CONCURRENT_SUBJECTS, wanted.size())), runnable -> {
            Thread thread = new Thread(runnable, "foldstream-schema-gate");
            thread.setDaemon(true);
            return thread;
        });
        try {
            return autoRegister ? checkAndRegister(wanted, calls) : checkOnly(wanted, calls);
        } finally {
            calls.shutdownNow();
        }
    }

    /** What the registry holds for one subject's schema. */
    private sealed interface Found {
        record Registered(Entry entry) implements Found {
        }

        record Compatible(String subject, Schema schema) implements Found {
        }

        record Refused(IncompatibleSchemaException.Refusal refusal) implements Found {
        }

        record Missing(String why) implements Found {
        }
    }

    private Report checkAndRegister(Map<String, Schema> wanted, ExecutorService calls) {
        List<Found> found = each(wanted, calls, (subject, schema) -> {
            RegisteredSchema existing = registeredAs(subject, schema);
            if (existing != null) {
                known.id(subject, schema, existing.id());
                return new Found.Registered(new Entry(subject, schema.getFullName(), existing.id(), existing.version(), false));
            }
            CompatibilityCheck check = registry.testCompatibility(subject, schema);
            if (check.compatible()) {
                return new Found.Compatible(subject, schema);
            }
            RegisteredSchema latest = registry.latest(subject);
            return new Found.Refused(new IncompatibleSchemaException.Refusal(subject, schema.getFullName(), latest.version(),
                    latest.id(), registry.compatibility(subject), check.messages()));
        });
        List<IncompatibleSchemaException.Refusal> refusals = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        Map<String, Schema> toRegister = new LinkedHashMap<>();
        for (Found one : found) {
            if (one instanceof Found.Registered registered) {
                entries.add(registered.entry());
            } else if (one instanceof Found.Compatible compatible) {
                toRegister.put(compatible.subject(), compatible.schema());
            } else if (one instanceof Found.Refused refused) {
                refusals.add(refused.refusal());
            }
        }
        if (!refusals.isEmpty()) {
            throw new IncompatibleSchemaException(refusals);
        }
        entries.addAll(each(toRegister, calls, (subject, schema) -> {
            registry.register(subject, schema);
            RegisteredSchema now = registry.lookup(subject, schema);
            known.id(subject, schema, now.id());
            return new Entry(now.subject(), schema.getFullName(), now.id(), now.version(), true);
        }));
        return new Report(entries);
    }

    private Report checkOnly(Map<String, Schema> wanted, ExecutorService calls) {
        List<Found> found = each(wanted, calls, (subject, schema) -> {
            RegisteredSchema latest;
            try {
                latest = registry.latest(subject);
            } catch (SchemaRegistryException e) {
                if (e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND && e.errorCode() != SchemaRegistryException.VERSION_NOT_FOUND) {
                    throw e;
                }
                return new Found.Missing(subject + " (no version: register " + schema.getFullName() + ")");
            }
            if (SchemaNormalization.parsingFingerprint64(latest.schema()) != SchemaNormalization.parsingFingerprint64(schema)) {
                return new Found.Missing(subject + " (its latest version " + latest.version() + " is not the schema of "
                        + schema.getFullName() + " this worker writes)");
            }
            known.id(subject, schema, latest.id());
            return new Found.Registered(new Entry(subject, schema.getFullName(), latest.id(), latest.version(), false));
        });
        List<Entry> entries = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Found one : found) {
            if (one instanceof Found.Registered registered) {
                entries.add(registered.entry());
            } else if (one instanceof Found.Missing absent) {
                missing.add(absent.why());
            }
        }
        if (!missing.isEmpty()) {
            throw new UnregisteredSchemasException(missing);
        }
        return new Report(entries);
    }

    /** {@code call} for every subject, side by side on {@code calls}; the answers in the subjects' order, or the first failure. */
    private static <T> List<T> each(Map<String, Schema> subjects, ExecutorService calls, BiFunction<String, Schema, T> call) {
        List<Future<T>> pending = new ArrayList<>();
        subjects.forEach((subject, schema) -> pending.add(calls.submit(() -> call.apply(subject, schema))));
        List<T> answers = new ArrayList<>();
        try {
            for (Future<T> answer : pending) {
                answers.add(answer.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking schemas", e);
        } catch (ExecutionException e) {
            pending.forEach(p -> p.cancel(true));
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
        return answers;
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
