package foldstream.worker.app;

import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;

/**
 * Makes the schema registry client for a registry URL. The runnable worker receives one in its
 * constructor, so the HTTP client is wired in one place.
 *
 * <pre>{@code
 * RegistryClientFactory clients = RegistryClientFactory.http();
 * SchemaRegistryClient registry = clients.connect("http://127.0.0.1:8081");
 * }</pre>
 */
@FunctionalInterface
public interface RegistryClientFactory {

    SchemaRegistryClient connect(String url);

    /** The HTTP client of a Confluent-compatible registry, with the default retries and timeouts. */
    static RegistryClientFactory http() {
        return url -> new HttpSchemaRegistryClient(RegistryClientSettings.of(url));
    }
}
