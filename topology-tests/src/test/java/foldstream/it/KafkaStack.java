package foldstream.it;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real parts integration tests run against: one Kafka broker (KRaft, combined broker and
 * controller, from Kafka's own test kit) and Foldstream's schema registry server on it, started once
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
 * <p>The test kit is an internal Kafka API: its version is pinned with Kafka's in the parent pom.
 * Its listeners are set to 127.0.0.1 and clients only ever connect there, but the kit pre-binds
 * the broker's and controller's ports on the wildcard address before the broker starts, and its API
 * offers no way to change that. The registry listens on 127.0.0.1 only.
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
        private final KafkaClusterTestKit cluster;
        private final SchemaRegistryServer registry;
        private final Endpoints endpoints;

        private Running(KafkaClusterTestKit cluster, SchemaRegistryServer registry) {
            this.cluster = cluster;
            this.registry = registry;
            this.endpoints = new Endpoints(cluster.bootstrapServers(), registry.url());
        }

        static Running start() {
            KafkaClusterTestKit cluster = null;
            try {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        // The kit's default is the unreleased metadata version; test what users run.
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .build();
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("listeners", nodes.brokerListenerName().value() + "://127.0.0.1:0,"
                                + nodes.controllerListenerName().value() + "://127.0.0.1:0");
                for (Map.Entry<String, String> setting : oneNodeSettings().entrySet()) {
                    builder.setConfigProp(setting.getKey(), setting.getValue());
                }
                cluster = builder.build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                SchemaRegistryServer registry = new SchemaRegistryServer(
                        RegistryServerSettings.of(cluster.bootstrapServers()).withPort(0)).start();
                return new Running(cluster, registry);
            } catch (Exception e) {
                if (cluster != null) {
                    try {
                        cluster.close();
                    } catch (Exception closing) {
                        e.addSuppressed(closing);
                    }
                }
                throw new IllegalStateException("cannot start the Kafka broker and schema registry for the tests", e);
            }
        }

        /** Internal topics of one replica, and no waiting for more group members that will not come. */
        private static Map<String, String> oneNodeSettings() {
            return Map.of(
                    "offsets.topic.replication.factor", "1",
                    "offsets.topic.num.partitions", "1",
                    "transaction.state.log.replication.factor", "1",
                    "transaction.state.log.min.isr", "1",
                    "transaction.state.log.num.partitions", "1",
                    "share.coordinator.state.topic.replication.factor", "1",
                    "share.coordinator.state.topic.min.isr", "1",
                    "min.insync.replicas", "1",
                    "group.initial.rebalance.delay.ms", "0");
        }

        Endpoints endpoints() {
            return endpoints;
        }

        @Override
        public void close() {
            try {
                registry.close();
            } finally {
                try {
                    cluster.close();
                } catch (Exception e) {
                    throw new IllegalStateException("the test broker did not shut down cleanly", e);
                }
            }
        }
    }
}
