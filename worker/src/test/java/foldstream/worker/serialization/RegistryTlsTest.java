package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over TLS, with a trust store made here by the JDK's keytool: a self-signed certificate
 * for 127.0.0.1 serves an HTTPS stub; the client trusts it only when given the trust store.
 */
class RegistryTlsTest {

    private static final String PASSWORD = "test-only-secret";

    @TempDir
    static Path keys;
    private static Path trustStore;
    private static HttpsServer server;
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void startHttpsStub() throws Exception {
        Path serverStore = keys.resolve("server.p12");
        Path certificate = keys.resolve("server.crt");
        trustStore = keys.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", serverStore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", PASSWORD);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(serverStore)));
        server.createContext("/", exchange -> {
            try (exchange) {
                REQUESTS.incrementAndGet();
                byte[] body = "{\"compatibilityLevel\": \"FULL_TRANSITIVE\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void trustsTheRegistryWhoseCertificateIsInTheTrustStore() {
        RegistryClientSettings settings = RegistryClientSettings.of(url())
                .withTrustStore(new RegistryClientSettings.TrustStore(trustStore, PASSWORD, "PKCS12"));
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(settings)) {
            assertThat(client.compatibility("s")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        }
    }

    @Test
    void refusesAnUntrustedCertificateAtOnceWithoutRetrying() {
        RegistryClientSettings settings = RegistryClientSettings.of(url()).withRetries(3, Duration.ofMillis(10), Duration.ofMillis(20));
        int before = REQUESTS.get();
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(settings)) {
            assertThatThrownBy(() -> client.compatibility("s"))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("TLS")
                    .hasMessageContaining(url());
        }
        assertThat(REQUESTS.get()).as("no request got through").isEqualTo(before);
    }

    @Test
    void onlyHttpsUrlsGetTheJdksDefaultTrust() {
        assertThat(RegistryClientSettings.of(url()).sslContext()).as("https: the JDK's defaults").isNull();
        assertThat(RegistryClientSettings.of("http://127.0.0.1:8081," + url()).sslContext()).as("one of them https").isNull();
        // Plain http: a context that loads no certificates, never used (building the JDK's default would read its trust store).
        assertThat(RegistryClientSettings.of("http://127.0.0.1:8081").sslContext()).isNotNull();
    }

    @Test
    void aWrongTrustStorePasswordIsAClearConfigurationError() {
        assertThatThrownBy(() -> new RegistryClientSettings.TrustStore(trustStore, "wrong", "PKCS12").sslContext())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(trustStore.toString());
    }

    private static SSLContext serverContext(Path store) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
