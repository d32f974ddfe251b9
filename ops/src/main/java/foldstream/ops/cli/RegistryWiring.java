package foldstream.ops.cli;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.RegistryProcess;
import foldstream.worker.app.RegistryClientFactory;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The single place where the schema registry is wired into the command-line tool: the registry
 * process that {@code stack} and {@code demo} run, and the clients that {@code worker} and
 * {@code demo} talk to it with.
 *
 * <pre>{@code
 * RegistryWiring wiring = RegistryWiring.current();
 * RegistryProcess registry = wiring.process(8081);
 * }</pre>
 */
public interface RegistryWiring {

    /** The registry the stack runs on {@code port} (0: a free port). */
    default RegistryProcess process(int port) {
        return process(port, UnaryOperator.identity());
    }

    /** The registry the stack runs on {@code port}, its settings adjusted (TLS, users, Kafka security). */
    RegistryProcess process(int port, UnaryOperator<RegistryServerSettings> adjust);

    /** Makes clients for a registry URL. */
    RegistryClientFactory clients();

    /** The project's own registry server (schemas in the {@code _schemas} topic) and the HTTP client. */
    static RegistryWiring current() {
        return new RegistryWiring() {
            @Override
            public RegistryProcess process(int port, UnaryOperator<RegistryServerSettings> adjust) {
                return new RegistryProcess() {
                    private SchemaRegistryServer server;

                    @Override
                    public Optional<String> start(String bootstrapServers) {
                        server = new SchemaRegistryServer(adjust.apply(RegistryServerSettings.of(bootstrapServers).withPort(port))).start();
                        return Optional.of(server.url());
                    }

                    @Override
                    public String description() {
                        return server == null ? "not started" : server.url() + " (schemas in Kafka topic "
                                + server.settings().topic() + ")";
                    }

                    @Override
                    public void close() {
                        if (server != null) {
                            server.close();
                        }
                    }
                };
            }

            @Override
            public RegistryClientFactory clients() {
                return RegistryClientFactory.http();
            }
        };
    }
}
