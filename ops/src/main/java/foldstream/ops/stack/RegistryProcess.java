package foldstream.ops.stack;

import java.util.Optional;

/**
 * The schema registry of the local stack, as a start/close lifecycle: the one seam where the
 * registry server ({@code foldstream.ops.registry.SchemaRegistryServer}) plugs into the stack and
 * the demo.
 *
 * <pre>{@code
 * RegistryProcess registry = ...;
 * Optional<String> url = registry.start(broker.bootstrapServers());   // "http://127.0.0.1:8081"
 * ...
 * registry.close();
 * }</pre>
 */
public interface RegistryProcess extends AutoCloseable {

    /**
     * Starts the registry, which keeps its schemas in Kafka at {@code bootstrapServers}.
     *
     * @return the URL clients use, or empty when this process runs no registry
     */
    Optional<String> start(String bootstrapServers) throws Exception;

    /** What runs, or why nothing does; for the stack's start-up banner. */
    String description();

    @Override
    void close();
}
