package foldstream.it;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real parts integration tests run against: one Kafka broker (KRaft, combined broker and
 * controller: the local stack's {@link KafkaBroker}, from {@code kafka_2.13}) and Foldstream's schema
 * registry server on it, started once
 * per test JVM on first use and stopped when the JVM's tests are done (the root context's store
 * closes it). Tests receive the addresses as a parameter.
 *
 * <pre>{@code
 * @ExtendWith(KafkaStack.class)
 * class SomethingIT {
 *     @Test
 *     void works(KafkaStack.Endpoints stack) {
 *         var registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The broker is the one {@code ops/foldstream stack} runs, not Kafka's test kit: from Kafka 4.4 the
 * kit needs {@code kafka-clients}' test jar, which Maven Central does not serve. Broker and registry
 * listen on 127.0.0.1 only; the broker's data lives in a temporary directory deleted at the end.
 */
public final class KafkaStack implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaStack.class);

    /** Where the running stack is: Kafka's bootstrap servers and the registry's base URL. */
    public record Endpoints(String bootstrapServers, String registryUrl) {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Endpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, key -> Running.start(), Running.class)
                .endpoints();
    }

    /** The started broker and registry; the store closes it once, after the last test. */
    static final class Running implements AutoCloseable {
        private final KafkaBroker broker;
        private final Path dataDir;
        private final SchemaRegistryServer registry;
        private final Endpoints endpoints;

        private Running(KafkaBroker broker, Path dataDir, SchemaRegistryServer registry) {
            this.broker = broker;
            this.dataDir = dataDir;
            this.registry = registry;
            this.endpoints = new Endpoints(broker.bootstrapServers(), registry.url());
        }

        static Running start() {
            KafkaBroker broker = null;
            Path dataDir = null;
            try {
                dataDir = Files.createTempDirectory("foldstream-it-broker");
                broker = new KafkaBroker(KafkaBroker.Settings.local(dataDir).withFreePorts());
                broker.start();
                SchemaRegistryServer registry = new SchemaRegistryServer(
                        RegistryServerSettings.of(broker.bootstrapServers()).withPort(0)).start();
                return new Running(broker, dataDir, registry);
            } catch (Exception e) {
                if (broker != null) {
                    try {
                        broker.close();
                    } catch (RuntimeException closing) {
                        e.addSuppressed(closing);
                    }
                }
                throw new IllegalStateException("cannot start the Kafka broker and schema registry for the tests", e);
            }
        }

        Endpoints endpoints() {
            return endpoints;
        }

        @Override
        public void close() {
            try {
                registry.close();
            } finally {
                broker.close();
                deleteQuietly(dataDir);
            }
        }

        private static void deleteQuietly(Path dir) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // A temporary directory left behind harms nothing.
            }
        }
    }
}
