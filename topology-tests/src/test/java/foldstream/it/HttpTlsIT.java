package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.HttpApiSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.http.Access;
import foldstream.worker.http.ApiServer;
import foldstream.worker.http.Endpoint;
import foldstream.worker.http.HttpLimits;
import foldstream.worker.http.Need;
import foldstream.worker.http.Reply;
import foldstream.worker.http.RouteTable;
import foldstream.worker.http.TlsSettings;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API over TLS, on two instances of one application that ask for client certificates
 * ({@code want}): a client without a certificate authenticates with a token, a client with one is
 * known by its subject, and a query for an aggregate the other instance owns is forwarded over TLS
 * with the instance's own certificate. With {@code need}, a client without a trusted certificate
 * does not get past the handshake.
 */
@ExtendWith(KafkaStack.class)
class HttpTlsIT {

    static final AggregateType<?> ACCOUNTS = Accounts.type().withName("it_tls_accounts");
    private static final String A = "/aggregates/it_tls_accounts/";
    private static final String TOKEN = "tls-admin-token-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    private static TestKeyStores stores;
    private static HttpSchemaRegistryClient registry;
    private static final List<FoldstreamWorker> workers = new ArrayList<>();

    @BeforeAll
    static void start(KafkaStack.Endpoints stack) {
        stores = TestKeyStores.create(dir);
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        Access access = Access.parse(List.of(
                "dn:\"" + TestKeyStores.CLIENT_DN + "\" read=*",
                "dn:\"" + TestKeyStores.WORKER_DN + "\" read=it_tls_accounts",
                "token:" + TOKEN + " send=* read=* ops"));
        HttpApiSettings http = HttpApiSettings.defaults().withAccess(access).withTls(Optional.of(new TlsSettings(stores.worker(),
                TestKeyStores.PASSWORD, Optional.of(stores.trust()), TestKeyStores.PASSWORD, TlsSettings.ClientAuth.WANT)));
        String application = "it-tls-" + UUID.randomUUID();
        for (int i = 0; i < 2; i++) {
            workers.add(FacadeHttp.startWorker(stack, application, List.of(ACCOUNTS), 4, dir.resolve("state-" + i), registry, http));
        }
        FacadeHttp.awaitSettled(workers);
    }

    @AfterAll
    static void stop() {
        workers.forEach(FoldstreamWorker::close);
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static FacadeHttp.Reply call(HttpClient client, String scheme, int port, String method, String path, String body,
                                         String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new FacadeHttp.Reply(response.statusCode(), response.body());
    }

    private static int owner(String id) {
        return workers.get(0).streams().queryMetadataForKey(AggregateTopics.of(ACCOUNTS.name()).snapshotStore(), id,
                Serdes.String().serializer()).activeHost().port();
    }

    /** One new account owned by each instance, opened over TLS with the token. */
    private static List<String> accountsOnEachInstance(HttpClient client) throws Exception {
        List<String> ids = new ArrayList<>(List.of("", ""));
        while (ids.contains("")) {
            String id = "tls-" + UUID.randomUUID();
            int index = owner(id) == workers.get(0).httpPort() ? 0 : 1;
            if (ids.get(index).isEmpty()) {
                ids.set(index, id);
            }
        }
        for (String id : ids) {
            FacadeHttp.Reply opened = call(client, "https", workers.get(0).httpPort(), "POST", A + id + "/commands/OpenAccount",
                    "{\"owner\": \"tess\"}", TOKEN);
            assertThat(opened.status()).as(opened.body()).isEqualTo(200);
        }
        return ids;
    }

    @Test
    void aClientWithoutCertificateUsesItsTokenAndReadsAreForwardedOverTls() throws Exception {
        HttpClient client = client(stores.clientContext(null));
        for (String id : accountsOnEachInstance(client)) {
            for (FoldstreamWorker worker : workers) {
                FacadeHttp.Reply read = call(client, "https", worker.httpPort(), "GET", A + id + "?minVersion=1&waitMs=10000", null, TOKEN);
                assertThat(read.status()).as(read.body()).isEqualTo(200);
                assertThat(read.json().at("/state/owner").asText()).isEqualTo("tess");
            }
        }
        FacadeHttp.Reply anonymous = call(client, "https", workers.get(0).httpPort(), "GET", A + "x", null, null);
        assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
        assertThatThrownBy(() -> call(HttpClient.newHttpClient(), "http", workers.get(0).httpPort(), "GET", "/health", null, null))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientCertificateIsKnownByItsSubjectWithItsPermissions() throws Exception {
        List<String> ids = accountsOnEachInstance(client(stores.clientContext(null)));
        HttpClient reporting = client(stores.clientContext(stores.client()));
        for (String id : ids) {
            for (FoldstreamWorker worker : workers) {
                FacadeHttp.Reply read = call(reporting, "https", worker.httpPort(), "GET", A + id + "?minVersion=1&waitMs=10000", null, null);
                assertThat(read.status()).as(read.body()).isEqualTo(200);
                assertThat(read.json().get("version").asLong()).isEqualTo(1);
            }
        }
        FacadeHttp.Reply send = call(reporting, "https", workers.get(1).httpPort(), "POST", A + ids.get(0) + "/commands/Deposit",
                "{\"amount\": 1}", null);
        assertThat(send.status()).as(send.body()).isEqualTo(403);
        assertThat(send.json().get("message").asText()).contains("CN=reporting").endsWith("may not send to it_tls_accounts");
    }

    @Test
    void withNeedAClientWithoutATrustedCertificateDoesNotGetPastTheHandshake() throws Exception {
        TlsSettings need = new TlsSettings(stores.worker(), TestKeyStores.PASSWORD, Optional.of(stores.trust()), TestKeyStores.PASSWORD,
                TlsSettings.ClientAuth.NEED);
        RouteTable routes = RouteTable.builder()
                .get("/whoami", Need.ops(), Endpoint.sync(call -> Reply.ok(Map.of("who", call.grant().who()))))
                .build();
        try (ApiServer server = new ApiServer("127.0.0.1", 0, HttpLimits.defaults(), Optional.of(need), Access.none(), true, routes)
                .start()) {
            FacadeHttp.Reply known = call(client(stores.clientContext(stores.client())), "https", server.port(), "GET", "/whoami", null, null);
            assertThat(known.status()).as(known.body()).isEqualTo(200);

            assertThatThrownBy(() -> call(client(stores.clientContext(null)), "https", server.port(), "GET", "/whoami", null, null))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> call(client(stores.clientContext(stores.stranger())), "https", server.port(), "GET", "/whoami",
                    null, null)).isInstanceOf(IOException.class);
        }
    }
}
