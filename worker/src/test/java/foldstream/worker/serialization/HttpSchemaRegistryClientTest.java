package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The HTTP client against stub servers: what it sends, how it retries, and what it throws. */
class HttpSchemaRegistryClientTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields().requiredString("name").endRecord();
    private static final String SCHEMA_ANSWER = "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Thing\\\",\\\"namespace\\\":\\\"t\\\","
            + "\\\"fields\\\":[{\\\"name\\\":\\\"name\\\",\\\"type\\\":\\\"string\\\"}]}\"}";

    private static RegistryClientSettings fast(String url) {
        return RegistryClientSettings.of(url).withRetries(2, Duration.ofMillis(10), Duration.ofMillis(40));
    }

    @Test
    void sendsBasicAuthTheApiContentTypeAndTheSchemaAsConfluentExpects() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(200, "{\"id\": 7}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()).withBasicAuth("alice:s3cret"))) {
            int id = client.register("users value/1", SCHEMA);

            assertThat(id).isEqualTo(7);
            StubRegistry.Request request = stub.requests().get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.rawPath()).isEqualTo("/subjects/users%20value%2F1/versions");
            assertThat(request.headers().getFirst("Authorization")).isEqualTo("Basic YWxpY2U6czNjcmV0");
            assertThat(request.headers().getFirst("Content-Type")).isEqualTo(HttpSchemaRegistryClient.CONTENT_TYPE);
            assertThat(request.headers().getFirst("Accept")).isEqualTo(HttpSchemaRegistryClient.CONTENT_TYPE);
            assertThat(request.body()).contains("\"schemaType\":\"AVRO\"").contains("\"schema\":\"{\\\"type\\\":\\\"record\\\"");
        }
    }

    @Test
    void sendsNoAuthorizationWhenNoneIsConfigured() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(200, SCHEMA_ANSWER));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThat(client.schemaById(3)).isEqualTo(SCHEMA);
            assertThat(stub.requests().get(0).headers().containsKey("Authorization")).isFalse();
            assertThat(stub.requests().get(0).rawPath()).isEqualTo("/schemas/ids/3");
        }
    }

    @Test
    void retriesAServerErrorAndSucceedsWhenTheRegistryRecovers() {
        AtomicInteger calls = new AtomicInteger();
        try (StubRegistry stub = new StubRegistry(request -> calls.incrementAndGet() == 1
                ? new StubRegistry.Answer(503, "{\"error_code\": 50003, \"message\": \"busy\"}")
                : new StubRegistry.Answer(200, SCHEMA_ANSWER));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThat(client.schemaById(1)).isEqualTo(SCHEMA);
            assertThat(stub.requests()).hasSize(2);
        }
    }

    @Test
    void givesUpAfterTheConfiguredRetriesNamingTheUrl() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(500, "{\"error_code\": 50001, \"message\": \"store\"}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThatThrownBy(() -> client.latest("s"))
                    .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class, e -> assertThat(e.subject()).isEqualTo("s"))
                    .hasMessageContaining(stub.url())
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageContaining("HTTP 500");
            assertThat(stub.requests()).as("one call and two retries").hasSize(3);
        }
    }

    @Test
    void doesNotRetryARefusalAndKeepsConfluentsErrorCode() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(404, "{\"error_code\": 40401, \"message\": \"Subject 'nope' not found.\"}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThatThrownBy(() -> client.latest("nope"))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e).isNotInstanceOf(SchemaRegistryUnavailableException.class);
                        assertThat(e.errorCode()).isEqualTo(40401);
                        assertThat(e.subject()).isEqualTo("nope");
                        assertThat(e.reason()).isEqualTo("Subject 'nope' not found.");
                    });
            assertThat(stub.requests()).hasSize(1);
        }
    }

    @Test
    void aRefusalWithoutConfluentsBodyKeepsTheHttpStatus() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(401, "<html>Unauthorized</html>"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(401))
                    .hasMessageContaining("basic.auth.user.info");
        }
    }

    @Test
    void aRegistryThatIsDownFailsWithinABoundedTimeNamingTheUrl() throws IOException {
        String closed = closedPortUrl();
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(closed))) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> client.register("s", SCHEMA))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining(closed)
                    .hasMessageContaining("after 3 attempts");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void movesToTheNextUrlWhenOneIsDown() throws IOException {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(200, SCHEMA_ANSWER));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(closedPortUrl() + "," + stub.url()))) {
            assertThat(client.schemaById(1)).isEqualTo(SCHEMA);
        }
    }

    @Test
    void aSubjectWithoutVersionsAcceptsAnySchema() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(404, "{\"error_code\": 40401, \"message\": \"Subject not found.\"}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThat(client.testCompatibility("new-subject", SCHEMA)).isEqualTo(CompatibilityCheck.ok());
            assertThat(stub.requests().get(0).rawPath()).isEqualTo("/compatibility/subjects/new-subject/versions");
            assertThat(stub.requests().get(0).rawQuery()).isEqualTo("verbose=true");
        }
    }

    @Test
    void readsIncompatibilityAndItsReasons() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(200,
                "{\"is_compatible\": false, \"messages\": [\"READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1\"]}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThat(client.testCompatibility("s", SCHEMA))
                    .isEqualTo(new CompatibilityCheck(false, java.util.List.of("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1")));
        }
    }

    @Test
    void fallsBackToTheGlobalLevelWhenTheRegistryIgnoresDefaultToGlobal() {
        try (StubRegistry stub = new StubRegistry(request -> request.rawPath().equals("/config")
                ? new StubRegistry.Answer(200, "{\"compatibilityLevel\": \"FULL\"}")
                : new StubRegistry.Answer(404, "{\"error_code\": 40408, \"message\": \"Subject 's' does not have subject-level compatibility configured\"}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            assertThat(client.compatibility("s")).isEqualTo(CompatibilityLevel.FULL);
            assertThat(stub.requests()).extracting(StubRegistry.Request::rawPath).containsExactly("/config/s", "/config");
        }
    }

    @Test
    void setsTheGlobalLevelWhenNoSubjectIsGiven() {
        try (StubRegistry stub = new StubRegistry(request -> new StubRegistry.Answer(200, "{\"compatibility\": \"NONE\"}"));
             HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(fast(stub.url()))) {
            client.setCompatibility(null, CompatibilityLevel.NONE);
            client.setCompatibility("s", CompatibilityLevel.FULL);

            assertThat(stub.requests()).extracting(StubRegistry.Request::method).containsOnly("PUT");
            assertThat(stub.requests()).extracting(StubRegistry.Request::rawPath).containsExactly("/config", "/config/s");
            assertThat(stub.requests().get(1).body()).isEqualTo("{\"compatibility\":\"FULL\"}");
        }
    }

    /** A URL whose port nothing listens on: bound, then closed. */
    static String closedPortUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
