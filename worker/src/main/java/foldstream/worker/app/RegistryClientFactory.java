package foldstream.worker.app;

import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.WireFormatConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes the schema registry client for a registry URL. The runnable worker receives one in its
 * constructor, so the HTTP client is wired in one place.
 *
 * <pre>{@code
 * RegistryClientFactory clients = RegistryClientFactory.http();
 * SchemaRegistryClient registry = clients.connect("https://registry.example:8081",
 *         Map.of("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "worker:secret"));
 * }</pre>
 */
@FunctionalInterface
public interface RegistryClientFactory {

    SchemaRegistryClient connect(String url);

    /**
     * A client for the URL with the registry settings among {@code properties}, named as Confluent's
     * clients name them ({@code basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*};
     * see {@link WireFormatConfig}). Factories that do not speak HTTP ignore them.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming a setting that is wrong
     */
    default SchemaRegistryClient connect(String url, Map<String, ?> properties) {
        return connect(url);
    }

    /** The HTTP client of a Confluent-compatible registry, with the default retries and timeouts. */
    static RegistryClientFactory http() {
        return new RegistryClientFactory() {
            @Override
            public SchemaRegistryClient connect(String url) {
                return new HttpSchemaRegistryClient(RegistryClientSettings.of(url));
            }

            @Override
            public SchemaRegistryClient connect(String url, Map<String, ?> properties) {
                Map<String, Object> config = new HashMap<>(properties);
                config.put(WireFormatConfig.REGISTRY_URL, url);
                return new HttpSchemaRegistryClient(WireFormatConfig.registryClient(config));
            }
        };
    }
}
