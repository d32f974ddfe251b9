package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.ops.registry.RegistryRole;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.RegistryUsers;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.TlsMaterial;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.runtime.UnregisteredSchemasException;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryException;
import foldstream.worker.serialization.SchemaRegistryUnavailableException;
import foldstream.worker.serialization.WireFormatConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The registry server's security on the real server over HTTP: who may do what (users file and
 * roles), Confluent's read-only mode, the body limit, TLS with the worker's client settings, and a
 * worker with read-only credentials ({@code auto.register.schemas=false}).
 */
@ExtendWith(KafkaStack.class)
class RegistrySecurityIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static String bootstrapServers;
    private static Path usersFile;
    private static SchemaRegistryServer registry;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start(KafkaStack.Endpoints stack) throws IOException {
        bootstrapServers = stack.bootstrapServers();
        usersFile = dir.resolve("users.txt");
        Files.writeString(usersFile, String.join("\n",
                "# the test's users",
                RegistryUsers.line("reader", RegistryRole.READ, "reader-secret".toCharArray()),
                RegistryUsers.line("ci", RegistryRole.WRITE, "ci-secret".toCharArray()),
                RegistryUsers.line("ops", RegistryRole.ADMIN, "ops-secret".toCharArray()), ""));
        registry = new SchemaRegistryServer(settings("_schemas_security").withLimits(8, 64 * 1024)).start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static RegistryServerSettings settings(String topic) {
        return RegistryServerSettings.of(bootstrapServers).withPort(0).withTopic(topic).withUsersFile(usersFile);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", CONTENT_TYPE);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaBody(String recordName) throws Exception {
        Schema schema = SchemaBuilder.record(recordName).namespace("foldstream.it.security").fields().requiredString("text").endRecord();
        return JSON.writeValueAsString(Map.of("schema", schema.toString()));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static SchemaRegistryClient client(String url, Map<String, String> properties) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(WireFormatConfig.REGISTRY_URL, url);
        return new HttpSchemaRegistryClient(WireFormatConfig.registryClient(config));
    }

    @Test
    void withoutOrWithWrongCredentialsEveryRequestGets401AndChangesNothing() throws Exception {
        String subject = "noauth-" + UUID.randomUUID();
        List<String> refused = List.of("", basic("ci", "wrong"), basic("nobody", "ci-secret"), "Bearer ci-secret", "Basic !!!");
        for (String authorization : refused) {
            String header = authorization.isEmpty() ? null : authorization;
            HttpResponse<String> register = call("POST", "/subjects/" + subject + "/versions", header, schemaBody("NoAuth"));
            assertThat(register.statusCode()).as("register with '%s'", authorization).isEqualTo(401);
            assertThat(json(register).path("error_code").asInt()).isEqualTo(40101);
            assertThat(register.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(call("PUT", "/config", header, "{\"compatibility\":\"NONE\"}").statusCode()).isEqualTo(401);
            assertThat(call("PUT", "/mode", header, "{\"mode\":\"READONLY\"}").statusCode()).isEqualTo(401);
            assertThat(call("GET", "/subjects", header, null).statusCode()).isEqualTo(401);
        }

        String ops = basic("ops", "ops-secret");
        assertThat(json(call("GET", "/subjects", ops, null))).noneMatch(s -> s.asText().equals(subject));
        assertThat(json(call("GET", "/config", ops, null)).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(json(call("GET", "/mode", ops, null)).path("mode").asText()).isEqualTo("READWRITE");
    }

    @Test
    void eachRoleMayDoItsOwnAndNoMore() throws Exception {
        String subject = "roles-" + UUID.randomUUID();
        String reader = basic("reader", "reader-secret");
        String ci = basic("ci", "ci-secret");
        String ops = basic("ops", "ops-secret");

        HttpResponse<String> readerRegisters = call("POST", "/subjects/" + subject + "/versions", reader, schemaBody("Roles"));
        assertThat(readerRegisters.statusCode()).isEqualTo(403);
        assertThat(json(readerRegisters).path("error_code").asInt()).isEqualTo(40301);
        assertThat(call("GET", "/subjects/" + subject + "/versions", ops, null).statusCode()).as("nothing registered").isEqualTo(404);

        HttpResponse<String> ciRegisters = call("POST", "/subjects/" + subject + "/versions", ci, schemaBody("Roles"));
        assertThat(ciRegisters.statusCode()).isEqualTo(200);
        int id = json(ciRegisters).path("id").asInt();

        assertThat(json(call("GET", "/schemas/ids/" + id, reader, null)).path("schema").asText()).contains("Roles");
        assertThat(json(call("POST", "/subjects/" + subject, reader, schemaBody("Roles"))).path("id").asInt())
                .as("a look-up is a read").isEqualTo(id);
        assertThat(call("POST", "/compatibility/subjects/" + subject + "/versions/latest", reader, schemaBody("Roles")).statusCode())
                .as("a compatibility test is a read").isEqualTo(200);

        for (String notAdmin : List.of(reader, ci)) {
            assertThat(call("PUT", "/config/" + subject, notAdmin, "{\"compatibility\":\"NONE\"}").statusCode()).isEqualTo(403);
            assertThat(call("PUT", "/mode/" + subject, notAdmin, "{\"mode\":\"READONLY\"}").statusCode()).isEqualTo(403);
        }
        assertThat(call("GET", "/config/" + subject, ops, null).statusCode()).as("no level of its own was set").isEqualTo(404);

        assertThat(call("PUT", "/config/" + subject, ops, "{\"compatibility\":\"FULL\"}").statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/config/" + subject, reader, null)).path("compatibilityLevel").asText()).isEqualTo("FULL");
    }

    @Test
    void readOnlyModeRefusesNewSchemasWithConfluentsErrorCode() throws Exception {
        String ci = basic("ci", "ci-secret");
        String ops = basic("ops", "ops-secret");
        try (SchemaRegistryServer server = new SchemaRegistryServer(settings("_schemas_mode_" + UUID.randomUUID())).start()) {
            String url = server.url();
            HttpResponse<String> set = send(url, "PUT", "/mode", ops, "{\"mode\":\"READONLY\"}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(json(set).path("mode").asText()).isEqualTo("READONLY");
            assertThat(json(send(url, "GET", "/mode", ci, null)).path("mode").asText()).isEqualTo("READONLY");

            HttpResponse<String> refused = send(url, "POST", "/subjects/frozen-value/versions", ci, schemaBody("Frozen"));
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(json(refused).path("error_code").asInt()).isEqualTo(42205);
            assertThat(json(refused).path("message").asText()).isEqualTo("Subject frozen-value is in read-only mode");
            assertThat(send(url, "GET", "/subjects", ci, null).body()).isEqualTo("[]");

            // A subject's own mode overrides the global one...
            assertThat(send(url, "PUT", "/mode/open-value", ops, "{\"mode\":\"READWRITE\"}").statusCode()).isEqualTo(200);
            assertThat(send(url, "POST", "/subjects/open-value/versions", ci, schemaBody("Open")).statusCode()).isEqualTo(200);
            assertThat(json(send(url, "GET", "/mode/frozen-value?defaultToGlobal=true", ci, null)).path("mode").asText()).isEqualTo("READONLY");
            assertThat(json(send(url, "GET", "/mode/frozen-value", ci, null)).path("error_code").asInt()).isEqualTo(40409);
            // ...unless the global one is READONLY_OVERRIDE.
            assertThat(send(url, "PUT", "/mode", ops, "{\"mode\":\"READONLY_OVERRIDE\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> overridden = send(url, "POST", "/subjects/open-value/versions", ci, schemaBody("Open2"));
            assertThat(json(overridden).path("error_code").asInt()).isEqualTo(42205);

            HttpResponse<String> invalid = send(url, "PUT", "/mode", ops, "{\"mode\":\"SOMETIMES\"}");
            assertThat(invalid.statusCode()).isEqualTo(422);
            assertThat(json(invalid).path("error_code").asInt()).isEqualTo(42204);
        }
        // The mode is kept in the schemas topic: a restarted server is still read-only.
    }

    private static HttpResponse<String> send(String url, String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", CONTENT_TYPE).header("Authorization", authorization);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHundredMegabyteBodyIsRefusedWithoutBeingRead() throws Exception {
        URI uri = URI.create(registry.url());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // Only the head is sent: an answer can only come from the declared length.
            out.write(("POST /subjects/big-value/versions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                    + "Authorization: " + basic("ci", "ci-secret") + "\r\nContent-Type: " + CONTENT_TYPE + "\r\n"
                    + "Content-Length: " + (100L << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readHead(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 413");
        }
        // Without a declared length (chunked), reading stops at the limit.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/big-value/versions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", basic("ci", "ci-secret")).header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                    private long left = 100L << 20;

                    @Override
                    public int read() {
                        return left-- > 0 ? ' ' : -1;
                    }
                })).build();
        HttpResponse<String> refused;
        try {
            refused = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(413);
            assertThat(json(refused).path("error_code").asInt()).isEqualTo(41301);
        } catch (IOException e) {
            // The server may close the connection while the client still sends: refused either way.
            assertThat(e).hasMessageNotContaining("timed out");
        }
        assertThat(call("GET", "/subjects", basic("ci", "ci-secret"), null).body()).doesNotContain("big-value");
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    @Test
    void theWorkersClientReachesAnHttpsRegistryWithTheConfluentSettings() throws Exception {
        TlsMaterial tls = TlsMaterial.create(dir.resolve("tls"), "localhost", "tls-secret");
        try (SchemaRegistryServer server = new SchemaRegistryServer(settings("_schemas_tls_" + UUID.randomUUID())
                .withTls(new RegistryServerSettings.KeyStoreFile(tls.keyStore(), tls.password(), "PKCS12"))).start()) {
            assertThat(server.url()).startsWith("https://");
            Map<String, String> trusted = Map.of(
                    "schema.registry.ssl.truststore.location", tls.trustStore().toString(),
                    "schema.registry.ssl.truststore.password", tls.password(),
                    "schema.registry.ssl.truststore.type", "PKCS12",
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "ci:ci-secret");
            Schema schema = SchemaBuilder.record("Tls").namespace("foldstream.it.security").fields().requiredString("text").endRecord();
            try (SchemaRegistryClient client = client(server.url(), trusted)) {
                int id = client.register("tls-value", schema);
                assertThat(client.schemaById(id)).isEqualTo(schema);
            }
            // The same credentials in the URL (Confluent's basic.auth.credentials.source=URL).
            String withUserInfo = server.url().replace("https://", "https://reader:reader-secret@");
            Map<String, String> fromUrl = new HashMap<>(trusted);
            fromUrl.remove("basic.auth.user.info");
            fromUrl.put("basic.auth.credentials.source", "URL");
            try (SchemaRegistryClient client = client(withUserInfo, fromUrl)) {
                assertThat(client.latest("tls-value").schema()).isEqualTo(schema);
                assertThatThrownBy(() -> client.register("tls-value-2", schema))
                        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40301));
            }
            try (SchemaRegistryClient untrusting = client(server.url(), Map.of("basic.auth.user.info", "ci:ci-secret"))) {
                assertThatThrownBy(() -> untrusting.latest("tls-value")).isInstanceOf(SchemaRegistryUnavailableException.class)
                        .hasMessageContaining("TLS");
            }
        }
    }

    @Test
    void aRegistryAskingForClientCertificatesServesOnlyClientsWithTheKeyStoreSetting() throws Exception {
        TlsMaterial server = TlsMaterial.create(dir.resolve("mtls-server"), "localhost", "server-secret");
        TlsMaterial worker = TlsMaterial.create(dir.resolve("mtls-client"), "worker", "client-secret");
        try (SchemaRegistryServer registry = new SchemaRegistryServer(settings("_schemas_mtls_" + UUID.randomUUID())
                .withTls(new RegistryServerSettings.KeyStoreFile(server.keyStore(), server.password(), "PKCS12"))
                .withClientCertificates(new RegistryServerSettings.KeyStoreFile(worker.trustStore(), worker.password(), "PKCS12"))).start()) {
            Map<String, String> trusting = Map.of(
                    "schema.registry.ssl.truststore.location", server.trustStore().toString(),
                    "schema.registry.ssl.truststore.password", server.password(),
                    "basic.auth.user.info", "reader:reader-secret");
            Map<String, String> withCertificate = new HashMap<>(trusting);
            withCertificate.put("schema.registry.ssl.keystore.location", worker.keyStore().toString());
            withCertificate.put("schema.registry.ssl.keystore.password", worker.password());
            withCertificate.put("schema.registry.ssl.keystore.type", "PKCS12");
            try (SchemaRegistryClient client = client(registry.url(), withCertificate)) {
                assertThatThrownBy(() -> client.latest("none-value")).as("served: the registry answers 'not found'")
                        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
            }
            try (SchemaRegistryClient client = client(registry.url(), trusting)) {
                assertThatThrownBy(() -> client.latest("none-value")).isInstanceOf(SchemaRegistryUnavailableException.class);
            }
        }
    }

    @Test
    void aWorkerWithReadOnlyCredentialsOnlyChecksAndNamesTheSubjectsThatAreMissing() {
        AggregateType<?> counters = ExampleTypes.all().stream().filter(t -> t.name().equals("ex_counters")).findFirst().orElseThrow();
        String url = registry.url();
        try (SchemaRegistryClient readOnly = client(url, Map.of("basic.auth.user.info", "reader:reader-secret"));
             SchemaRegistryClient ci = client(url, Map.of("basic.auth.user.info", "ci:ci-secret"))) {
            List<AggregateType<?>> types = List.of(counters);
            assertThatThrownBy(() -> new SchemaGate(readOnly, true).open(types))
                    .as("registering with read-only credentials").isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(40301));

            assertThatThrownBy(() -> new SchemaGate(readOnly, false).open(types))
                    .isInstanceOfSatisfying(UnregisteredSchemasException.class, e -> assertThat(e.subjects())
                            .anyMatch(s -> s.startsWith("ex_counters-commands-"))
                            .anyMatch(s -> s.startsWith("ex_counters-events-"))
                            .anyMatch(s -> s.startsWith("ex_counters-results-value")))
                    .hasMessageContaining("auto.register.schemas=false");

            // The worker program, as users run it: read-only credentials and auto-registration off.
            StringWriter err = new StringWriter();
            CommandLine worker = new CommandLine(new WorkerMain(Map.of(), RegistryClientFactory.http(), List.of(counters)));
            worker.setErr(new PrintWriter(err, true));
            int status = worker.execute("--bootstrap-servers", bootstrapServers, "--schema-registry-url", url,
                    "--state-dir", dir.resolve("worker-state").toString(), "--http-port", "0",
                    "--property", "basic.auth.credentials.source=USER_INFO", "--property", "basic.auth.user.info=reader:reader-secret",
                    "--property", "auto.register.schemas=false");
            assertThat(status).isEqualTo(1);
            assertThat(err.toString()).contains("auto.register.schemas=false").contains("ex_counters-results-value")
                    .doesNotContain("reader-secret");

            SchemaGate.Report registered = new SchemaGate(ci, true).open(types);
            assertThat(registered.registered()).isNotEmpty();
            SchemaGate.Report checked = new SchemaGate(readOnly, false).open(types);
            assertThat(checked.registered()).isEmpty();
            assertThat(checked.entries()).hasSameSizeAs(registered.entries());
        }
    }
}
