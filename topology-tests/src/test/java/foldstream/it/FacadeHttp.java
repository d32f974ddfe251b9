package foldstream.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.HttpApiSettings;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the facade tests share: a {@link FoldstreamWorker} (the real one, with its HTTP API) started
 * in-process on the test stack, and a small HTTP client for its API.
 *
 * <pre>{@code
 * FoldstreamWorker worker = FacadeHttp.startWorker(stack, "it-app", types, stateDir, registry);
 * FacadeHttp.Reply reply = FacadeHttp.get(worker.httpPort(), "/aggregates/ex_accounts/a1");
 * }</pre>
 */
final class FacadeHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** An HTTP answer. */
    record Reply(int status, String body) {
        JsonNode json() {
            return parse(body);
        }
    }

    private FacadeHttp() {
    }

    /** A started worker of {@code types} with its HTTP API on a free port; the caller closes it. */
    static FoldstreamWorker startWorker(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types,
                                        int partitions, Path stateDir, SchemaRegistryClient registry) {
        return startWorker(stack, applicationId, types, partitions, stateDir, registry, Map.of("commit.interval.ms", "50"));
    }

    /** As above, with these Kafka and Kafka Streams properties. */
    static FoldstreamWorker startWorker(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types,
                                        int partitions, Path stateDir, SchemaRegistryClient registry, Map<String, String> properties) {
        return startWorker(stack, applicationId, types, partitions, stateDir, registry, properties, HttpApiSettings.defaults());
    }

    /** As the first, with the HTTP API's limits, TLS and credentials. */
    static FoldstreamWorker startWorker(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types,
                                        int partitions, Path stateDir, SchemaRegistryClient registry, HttpApiSettings http) {
        return startWorker(stack, applicationId, types, partitions, stateDir, registry, Map.of("commit.interval.ms", "50"), http);
    }

    /** With these properties and the HTTP API's settings. */
    static FoldstreamWorker startWorker(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types,
                                        int partitions, Path stateDir, SchemaRegistryClient registry, Map<String, String> properties,
                                        HttpApiSettings http) {
        WorkerSettings settings = WorkerSettings.of(stack.bootstrapServers())
                .withApplicationId(applicationId)
                .withStateDir(stateDir)
                .withPartitions(partitions)
                .withHttpPort(0)
                .withProperties(properties);
        FoldstreamWorker worker = new FoldstreamWorker(settings, http, types, registry, ProcessingOptions.DEFAULTS, Clock.systemUTC());
        try {
            worker.start();
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        return worker;
    }

    /** Waits until every instance runs and owns some partitions, so that reads are spread and forwarded. */
    static void awaitSettled(List<FoldstreamWorker> workers) {
        await().atMost(Duration.ofSeconds(90)).until(() -> workers.stream().allMatch(worker ->
                worker.state() == KafkaStreams.State.RUNNING
                        && worker.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum() > 0));
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static Reply get(int port, String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    static CompletableFuture<Reply> getAsync(int port, String pathAndQuery) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Reply(response.statusCode(), response.body()));
    }

    /** POSTs {@code body}; {@code headers} alternate names and values. */
    static Reply post(int port, String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    private static URI uri(int port, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
