package foldstream.worker.serialization;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST API that Foldstream uses. Implemented over HTTP
 * for real registries and in memory for {@code TopologyTestDriver} tests.
 *
 * <pre>{@code
 * int id = registry.register("ex_users-events-foldstream.examples.users.UserCreated", UserCreated.getClassSchema());
 * Schema writer = registry.schemaById(id);
 * }</pre>
 *
 * <p>Failures are {@link SchemaRegistryException}s that carry Confluent's error code and name the
 * subject; {@link SchemaRegistryUnavailableException} when the registry cannot be reached.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers the schema under the subject (idempotent) and returns its global id ({@code POST /subjects/{subject}/versions}). */
    int register(String subject, Schema schema);

    /** The id and version of this exact schema under the subject ({@code POST /subjects/{subject}}); 40401 or 40403 when absent. */
    RegisteredSchema lookup(String subject, Schema schema);

    /** The schema with this global id ({@code GET /schemas/ids/{id}}); 40403 when unknown. */
    Schema schemaById(int id);

    /** The latest version under the subject ({@code GET /subjects/{subject}/versions/latest}); 40401 when unknown. */
    RegisteredSchema latest(String subject);

    /**
     * Whether the schema may be registered under the subject at its compatibility level, with the
     * reasons when it may not ({@code POST /compatibility/subjects/{subject}/versions?verbose=true}): the
     * check registering would make, against the latest version, or against every version under a
     * {@code *_TRANSITIVE} level. A subject with no versions accepts any schema.
     */
    CompatibilityCheck testCompatibility(String subject, Schema schema);

    /** The subject's compatibility level, falling back to the global one ({@code GET /config/{subject}?defaultToGlobal=true}). */
    CompatibilityLevel compatibility(String subject);

    /** Sets the subject's compatibility level ({@code PUT /config/{subject}}). */
    void setCompatibility(String subject, CompatibilityLevel level);

    @Override
    default void close() {
    }
}
