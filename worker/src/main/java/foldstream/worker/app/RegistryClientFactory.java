package foldstream.worker.app;

import foldstream.worker.serialization.SchemaRegistryClient;

/**
 * Makes the schema registry client for a registry URL. The runnable worker receives one in its
 * constructor, so the HTTP client is wired in one place.
 *
 * <pre>{@code
 * RegistryClientFactory clients = url -> new InMemorySchemaRegistry();   // a test, in one JVM
 * SchemaRegistryClient registry = clients.connect("http://127.0.0.1:8081");
 * }</pre>
 */
@FunctionalInterface
public interface RegistryClientFactory {

    SchemaRegistryClient connect(String url);

    /**
     * The factory of builds that carry no HTTP registry client yet: it refuses, naming the URL,
     * rather than pretend to talk to a registry.
     */
    static RegistryClientFactory notWired() {
        return url -> {
            throw new IllegalStateException("this build has no HTTP schema registry client wired in yet,"
                    + " so it cannot talk to the registry at " + url + " (" + WorkerSetting.SCHEMA_REGISTRY_URL.describe() + ")");
        };
    }
}
