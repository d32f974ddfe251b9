package foldstream.ops.cli;

import foldstream.ops.stack.RegistryProcess;
import foldstream.worker.app.RegistryClientFactory;

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
    RegistryProcess process(int port);

    /** Makes clients for a registry URL. */
    RegistryClientFactory clients();

    /**
     * What this build has. The registry server ({@code foldstream.ops.registry.SchemaRegistryServer})
     * and the HTTP client ({@code HttpSchemaRegistryClient}) are built on another branch; until they
     * are merged, the stack starts no registry and the clients refuse with a clear message. Wiring
     * them is the two lines below.
     */
    static RegistryWiring current() {
        return new RegistryWiring() {
            @Override
            public RegistryProcess process(int port) {
                return RegistryProcess.none("this build has no schema registry server yet (port " + port + " stays free)");
            }

            @Override
            public RegistryClientFactory clients() {
                return RegistryClientFactory.notWired();
            }
        };
    }
}
