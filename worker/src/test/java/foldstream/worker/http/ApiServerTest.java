package foldstream.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's own behaviour, with endpoints of the test's: limits, errors as JSON, credentials. */
class ApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "a-test-token-long-enough";
    private static final String FORWARDER = "the-forwarding-instances-token";

    private ApiServer server;

    @BeforeEach
    void start() {
        RouteTable routes = RouteTable.builder()
                .post("/echo/{name}", Need.send("name"), call -> call.body().thenApply(body -> Reply.ok(Map.of("length", body.length()))))
                .get("/fails", Need.open(), Endpoint.sync(call -> {
                    throw new IllegalStateException("secret internal detail");
                }))
                .get("/never", Need.open(), call -> new CompletableFuture<>())
                .get("/probe", Need.probe(), Endpoint.sync(call -> Reply.ok(Map.of("up", true))))
                .get("/state/{name}", Need.read("name"), Endpoint.sync(call -> Reply.ok(Map.of("forwarded",
                        call.header(OwnerForwarding.FORWARDED).isPresent()))))
                .build();
        HttpLimits limits = new HttpLimits(1024, 2048, Duration.ofSeconds(30), Duration.ofMillis(300), 16, 100,
                Duration.ofMillis(200), Duration.ofSeconds(1));
        Access access = Access.parse(List.of("token:" + TOKEN + " send=allowed", "token:" + FORWARDER + " read=allowed"));
        server = new ApiServer("127.0.0.1", 0, limits, Optional.empty(), access, true, routes).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        return JSON.readTree(response.body());
    }

    @Test
    void aBodyOverTheLimitIs413WhetherItSaysItsLengthOrNot() throws Exception {
        byte[] large = new byte[4096];
        HttpResponse<String> known = send(request("/echo/allowed").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(large)));
        assertThat(known.statusCode()).isEqualTo(413);
        assertThat(json(known).get("error").asText()).isEqualTo("BODY_TOO_LARGE");

        HttpResponse<String> chunked = send(request("/echo/allowed").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))));
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);

        HttpResponse<String> fits = send(request("/echo/allowed").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(json(fits).get("length").asInt()).isEqualTo(2);
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        HttpResponse<String> answer = send(request("/probe").header("X-Large", "x".repeat(4096)).GET());
        assertThat(answer.statusCode()).isEqualTo(431);
    }

    @Test
    void failuresAnswerWithoutTheirDetailAndSlowEndpointsAreCutOff() throws Exception {
        HttpResponse<String> failed = send(request("/fails").GET());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(json(failed).get("error").asText()).isEqualTo("INTERNAL");
        assertThat(failed.body()).doesNotContain("secret").doesNotContain("IllegalStateException").contains("incident");

        HttpResponse<String> never = send(request("/never").GET());
        assertThat(never.statusCode()).isEqualTo(503);
        assertThat(json(never).get("error").asText()).isEqualTo("REQUEST_TIMEOUT");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405NamingTheEndpoints() throws Exception {
        HttpResponse<String> unknown = send(request("/nothing/here").GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("message").asText()).contains("GET /probe");
        assertThat(send(request("/probe").POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
    }

    @Test
    void credentialsAreCheckedBeforeTheBodyIsRead() throws Exception {
        HttpResponse<String> anonymous = send(request("/echo/allowed").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"foldstream\"");
        HttpResponse<String> forbidden = send(request("/echo/other").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).get("message").asText()).endsWith("may not send to other").doesNotContain(TOKEN);
        assertThat(send(request("/probe").GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void forwardingPresentsTheInstancesOwnTokenAndSaysWhenTheOwnerRefusesIt() throws Exception {
        HostInfo owner = new HostInfo("127.0.0.1", server.port());
        Reply answered = new OwnerForwarding(Optional.empty(), Optional.of(FORWARDER), Duration.ofSeconds(10))
                .get(owner, "/state/allowed", Duration.ZERO).get(30, TimeUnit.SECONDS);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(((JsonNode) answered.body()).get("forwarded").asBoolean()).isTrue();

        Reply refused = new OwnerForwarding(Optional.empty(), Optional.empty(), Duration.ofSeconds(10))
                .get(owner, "/state/allowed", Duration.ZERO).get(30, TimeUnit.SECONDS);
        assertThat(refused.status()).isEqualTo(502);
        assertThat(((Reply.ErrorBody) refused.body()).error()).isEqualTo("OWNER_REFUSED");

        Reply unreachable = new OwnerForwarding(Optional.empty(), Optional.of(FORWARDER), Duration.ofSeconds(10))
                .get(new HostInfo("127.0.0.1", 1), "/state/allowed", Duration.ZERO).get(30, TimeUnit.SECONDS);
        assertThat(unreachable.status()).isEqualTo(502);
        assertThat(((Reply.ErrorBody) unreachable.body()).message()).doesNotContain("Exception");
    }
}
