package foldstream.ops.stack;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The local stack: the Kafka node, then the schema registry that keeps its schemas in it. Closed
 * in the reverse order.
 *
 * <pre>{@code
 * try (LocalStack stack = new LocalStack(KafkaBroker.Settings.local(dataDir), registry)) {
 *     stack.start();
 *     System.out.println(stack.bootstrapServers() + " " + stack.registryUrl());
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {

    private final KafkaBroker broker;
    private final RegistryProcess registry;
    private final Consumer<KafkaBroker> prepare;
    private Optional<String> registryUrl = Optional.empty();

    public LocalStack(KafkaBroker.Settings brokerSettings, RegistryProcess registry) {
        this(brokerSettings, registry, started -> { });
    }

    /** @param prepare runs once Kafka serves, before the registry starts (users and ACLs of a secure stack) */
    public LocalStack(KafkaBroker.Settings brokerSettings, RegistryProcess registry, Consumer<KafkaBroker> prepare) {
        this.broker = new KafkaBroker(brokerSettings);
        this.registry = registry;
        this.prepare = prepare;
    }

    /** Starts Kafka, then the registry; on failure stops what started. */
    public synchronized void start() throws Exception {
        broker.start();
        try {
            prepare.accept(broker);
            registryUrl = registry.start(broker.bootstrapServers());
        } catch (Exception e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** The registry's URL, empty when the stack runs no registry. */
    public synchronized Optional<String> registryUrl() {
        return registryUrl;
    }

    public String registryDescription() {
        return registry.description();
    }

    @Override
    public synchronized void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }
}
