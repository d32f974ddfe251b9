package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.HttpApiSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.http.Access;
import foldstream.worker.http.HttpLimits;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's credentials and limits on a real worker and broker: requests without or with wrong
 * credentials are 401, with too few permissions 403, and send nothing to Kafka; a body with
 * anything after its JSON value is 400 and writes nothing; {@code waitMs} is capped; a 100 MB body
 * is refused unread; 200 slow clients do not keep a good request from its answer.
 */
@ExtendWith(KafkaStack.class)
class HttpApiSecurityIT {

    static final AggregateType<?> ACCOUNTS = Accounts.type().withName("it_sec_accounts");
    static final AggregateType<?> COUNTERS = Counters.type().withName("it_sec_counters");
    private static final String A = "/aggregates/it_sec_accounts/";
    private static final String C = "/aggregates/it_sec_counters/";
    private static final String ADMIN = "admin-token-" + UUID.randomUUID();
    private static final String READER = "reader-token-" + UUID.randomUUID();
    private static final String ACCOUNTS_ONLY = "accounts-token-" + UUID.randomUUID();
    private static final Duration MAX_WAIT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path stateDir;

    private static KafkaStack.Endpoints stack;
    private static HttpSchemaRegistryClient registry;
    private static FoldstreamWorker worker;

    @BeforeAll
    static void start(KafkaStack.Endpoints endpoints) throws Exception {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        Access access = Access.parse(List.of(
                "# the admin's token is given by its hash",
                "sha256:" + sha256(ADMIN) + "  send=* read=* ops",
                "token:" + READER + "  read=*",
                "token:" + ACCOUNTS_ONLY + "  send=it_sec_accounts read=it_sec_accounts"));
        HttpApiSettings http = HttpApiSettings.defaults().withAccess(access).withLimits(HttpLimits.defaults().withMaxWait(MAX_WAIT));
        worker = FacadeHttp.startWorker(stack, "it-sec-" + UUID.randomUUID(), List.of(ACCOUNTS, COUNTERS), 3, stateDir, registry, http);
        await().atMost(Duration.ofSeconds(90)).until(() -> worker.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static String sha256(String token) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static FacadeHttp.Reply call(String method, String path, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new FacadeHttp.Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String newId() {
        return "sec-" + UUID.randomUUID();
    }

    @Test
    void requestsWithoutOrWithWrongCredentialsAre401WithTooFewPermissions403AndSendNothing() {
        String id = newId();
        assertThat(call("POST", A + id + "/commands/OpenAccount", "{\"owner\": \"ann\"}", ADMIN).status()).isEqualTo(200);
        Map<TopicPartition, Long> before = endOffsets(List.of(commands(ACCOUNTS), commands(COUNTERS)));

        for (String token : new String[] {null, "not-a-token-anyone-knows", "Basic YWRtaW46YWRtaW4=", "Bearer "}) {
            FacadeHttp.Reply send = call("POST", A + id + "/commands/Deposit", "{\"amount\": 5}", token);
            assertThat(send.status()).as(token + ": " + send.body()).isEqualTo(401);
            assertThat(send.json().get("error").asText()).isEqualTo("UNAUTHENTICATED");
            FacadeHttp.Reply read = call("GET", A + id, null, token);
            assertThat(read.status()).as(token + ": " + read.body()).isEqualTo(401);
            assertThat(read.body()).doesNotContain("balance");
        }
        FacadeHttp.Reply readerSends = call("POST", A + id + "/commands/Deposit", "{\"amount\": 5}", READER);
        assertThat(readerSends.status()).as(readerSends.body()).isEqualTo(403);
        assertThat(readerSends.json().get("error").asText()).isEqualTo("FORBIDDEN");
        assertThat(readerSends.json().get("message").asText()).endsWith("may not send to it_sec_accounts")
                .doesNotContain(READER);
        FacadeHttp.Reply otherType = call("POST", C + id + "/commands/Increment", "{\"by\": 1}", ACCOUNTS_ONLY);
        assertThat(otherType.status()).as(otherType.body()).isEqualTo(403);
        FacadeHttp.Reply otherTypeRead = call("GET", C + id, null, ACCOUNTS_ONLY);
        assertThat(otherTypeRead.status()).as(otherTypeRead.body()).isEqualTo(403);
        assertThat(otherTypeRead.json().get("message").asText()).endsWith("may not read it_sec_counters");

        // The probes stay open; the 401 says how to authenticate.
        FacadeHttp.Reply anonymousHealth = call("GET", "/health", null, null);
        assertThat(anonymousHealth.status()).isEqualTo(200);
        // What each check found names partitions and errors: only for callers with ops.
        assertThat(anonymousHealth.json().has("checks")).as(anonymousHealth.body()).isFalse();
        assertThat(call("GET", "/health", null, ADMIN).json().has("checks")).isTrue();
        HttpResponse<String> challenge = sendRaw(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + A + id))
                .GET().build());
        assertThat(challenge.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"foldstream\"");

        // One allowed command to the same aggregate: the command topics grew by exactly that one.
        FacadeHttp.Reply allowed = call("POST", A + id + "/commands/Deposit", "{\"amount\": 5}", ACCOUNTS_ONLY);
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
        assertThat(grown(before)).containsOnlyKeys(partitionOf(before, commands(ACCOUNTS))).containsValue(1L);
    }

    @Test
    void aTokenThatMayReadButNotSendReadsButCannotSend() {
        String id = newId();
        assertThat(call("POST", A + id + "/commands/OpenAccount", "{\"owner\": \"rita\"}", ADMIN).status()).isEqualTo(200);

        FacadeHttp.Reply read = call("GET", A + id, null, READER);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().at("/state/owner").asText()).isEqualTo("rita");
        assertThat(read.json().get("version").asLong()).isEqualTo(1);

        FacadeHttp.Reply send = call("POST", A + id + "/commands/Deposit?answer=state", "{\"amount\": 5}", READER);
        assertThat(send.status()).as(send.body()).isEqualTo(403);
        assertThat(call("GET", A + id, null, READER).json().get("version").asLong()).isEqualTo(1);
    }

    @Test
    void aBodyWithAnythingAfterItsJsonValueIs400AndWritesNoEvent() {
        String id = newId();
        List<String> topics = List.of(commands(COUNTERS), AggregateTopics.of(COUNTERS.name()).events());
        Map<TopicPartition, Long> before = endOffsets(topics);

        for (String body : List.of("{\"by\":1}}}}", "{\"by\":1} {\"by\":2}", "{\"by\":1,\"by\":2}", "{\"by\":1}x")) {
            FacadeHttp.Reply refused = call("POST", C + id + "/commands/Increment", body, ADMIN);
            assertThat(refused.status()).as(body + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.json().get("error").asText()).isEqualTo("INVALID_JSON");
        }
        assertThat(grown(before)).isEmpty();
        assertThat(call("GET", C + id, null, ADMIN).json().get("version").asLong()).isZero();

        FacadeHttp.Reply counted = call("POST", C + id + "/commands/Increment", "{\"by\":1}", ADMIN);
        assertThat(counted.status()).as(counted.body()).isEqualTo(200);
        assertThat(counted.json().get("aggregateId").asText()).isEqualTo(id);
        assertThat(counted.json().get("errorCode").isNull()).isTrue();
    }

    @Test
    void waitMsIsCappedBySettings() throws Exception {
        String id = newId();
        assertThat(call("POST", A + id + "/commands/OpenAccount", "{\"owner\": \"wes\"}", ADMIN).status()).isEqualTo(200);

        FacadeHttp.Reply capped = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + A + id
                        + "?minVersion=5&waitMs=99999999")).header("Authorization", "Bearer " + READER).GET().build(),
                HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new FacadeHttp.Reply(response.statusCode(), response.body())).get(30, TimeUnit.SECONDS);

        assertThat(capped.status()).as(capped.body()).isEqualTo(409);
        assertThat(capped.json().get("message").asText()).endsWith("is at version 1, not 5, after " + MAX_WAIT.toMillis() + " ms");
    }

    @Test
    void aHundredMegabyteBodyIsRefusedWithoutBeingRead() throws Exception {
        String id = newId();
        for (String token : new String[] {ADMIN, null}) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", worker.httpPort()), 5_000);
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                // Only the headers and the body's first bytes are sent: the answer must come without the rest.
                out.write(("POST " + A + id + "/commands/Deposit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                        + "Content-Length: " + (100L << 20) + "\r\n\r\n{\"amount\": 1").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readAnswer(socket.getInputStream());
                assertThat(answer).startsWith(token == null ? "HTTP/1.1 401" : "HTTP/1.1 413");
                assertThat(answer).contains(token == null ? "UNAUTHENTICATED" : "BODY_TOO_LARGE");
            }
        }
        assertThat(call("GET", A + id, null, ADMIN).json().get("version").asLong()).isZero();
    }

    @Test
    void twoHundredSlowClientsDoNotKeepAGoodRequestFromItsAnswer() throws Exception {
        String id = newId();
        assertThat(call("POST", A + id + "/commands/OpenAccount", "{\"owner\": \"sly\"}", ADMIN).status()).isEqualTo(200);
        assertThat(call("GET", A + id, null, READER).status()).isEqualTo(200);
        Map<TopicPartition, Long> before = endOffsets(List.of(commands(COUNTERS)));

        // 100 send their headers a byte at a time; 100 send complete headers, then their bodies a byte at a time.
        byte[] slowHeaders = ("GET " + A + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "s".repeat(400))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] slowBodyHeaders = ("POST " + C + id + "/commands/Increment HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN
                + "\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] slowBody = ("{\"by\": 1" + " ".repeat(900)).getBytes(StandardCharsets.US_ASCII);
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", worker.httpPort()), 5_000);
                slow.add(socket);
                if (i % 2 == 1) {
                    socket.getOutputStream().write(slowBodyHeaders);
                }
            }
            HttpRequest good = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + A + id))
                    .header("Authorization", "Bearer " + READER).GET().build();
            for (int round = 0; round < 40; round++) {
                for (int i = 0; i < slow.size(); i++) {
                    byte next = i % 2 == 0 ? slowHeaders[round % slowHeaders.length] : slowBody[round];
                    slow.get(i).getOutputStream().write(next);
                    slow.get(i).getOutputStream().flush();
                }
                if (round % 10 == 9) {
                    // A bound on the wait, not a measure of speed: the answer comes before this timeout.
                    HttpResponse<String> answer = HTTP.sendAsync(good, HttpResponse.BodyHandlers.ofString()).get(1, TimeUnit.SECONDS);
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                }
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        assertThat(grown(before)).isEmpty();
    }

    private static HttpResponse<String> sendRaw(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status line, headers and as much of the body as arrives before the server closes or 2 KiB. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder answer = new StringBuilder();
        byte[] buffer = new byte[2048];
        int read;
        while (answer.indexOf("}") < 0 && (read = in.read(buffer)) > 0) {
            answer.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return answer.toString();
    }

    private static String commands(AggregateType<?> type) {
        return AggregateTopics.of(type.name()).commands();
    }

    private static TopicPartition partitionOf(Map<TopicPartition, Long> before, String topic) {
        Map<TopicPartition, Long> after = endOffsets(before.keySet().stream().map(TopicPartition::topic).distinct().toList());
        return after.keySet().stream().filter(tp -> tp.topic().equals(topic) && !after.get(tp).equals(before.get(tp)))
                .findFirst().orElseThrow();
    }

    /** The partitions that grew since {@code before}, and by how much. */
    private static Map<TopicPartition, Long> grown(Map<TopicPartition, Long> before) {
        Map<TopicPartition, Long> after = endOffsets(before.keySet().stream().map(TopicPartition::topic).distinct().toList());
        Map<TopicPartition, Long> grown = new HashMap<>();
        after.forEach((partition, end) -> {
            if (!end.equals(before.get(partition))) {
                grown.put(partition, end - before.get(partition));
            }
        });
        return grown;
    }

    private static Map<TopicPartition, Long> endOffsets(List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, WAIT).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            return consumer.endOffsets(partitions, WAIT);
        }
    }
}
