package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.ops.cli.FoldstreamCli;
import foldstream.ops.cli.RegistryWiring;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.runtime.EmbeddedProjectionRunner;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.projection.runtime.ProjectionEndpoint;
import foldstream.worker.projection.runtime.ProjectionGenerations;
import foldstream.worker.projection.runtime.ProjectionHost;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blue/green reset of an embedded projection on a real broker, requested with
 * {@code foldstream projection reset NAME --yes}: two running hosts learn of it from the generations
 * topic, builds generation 2 beside generation 1, which keeps answering queries (and applying live
 * events) while generation 2 is held back; once released and caught up, generation 2 serves the
 * same fold on both instances (each switches on its own), and generation 1's consumer group,
 * internal topics and local state are gone once both have left it. A host started afterwards starts
 * on generation 2 directly.
 */
@ExtendWith(KafkaStack.class)
class BlueGreenResetIT {

    /** Per owner: accounts opened, money deposited, events applied. */
    record OwnerTotal(long accounts, long deposited, long events) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theOldGenerationServesUntilTheNewOneHasCaughtUpThenIsDropped(KafkaStack.Endpoints stack, @TempDir Path stateDir,
                                                                       @TempDir Path otherStateDir, @TempDir Path laterStateDir)
            throws Exception {
        String run = "bg" + Long.toString(System.nanoTime(), 36);
        String stream = run + "_acc";
        String events = AggregateTopics.of(stream).events();
        // Holds generation 2's stream threads (named after its application id) while the test looks at the rebuild.
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger heldBack = new AtomicInteger();
        EmbeddedProjection<OwnerTotal> totals = EmbeddedProjection.builder("totals", OwnerTotal.class, null)
                .follows(stream)
                .keyedBy(AccountOpened.class, (opened, meta) -> opened.getOwner())
                .on(AccountOpened.class, (total, opened, meta) -> total == null ? new OwnerTotal(1, 0, 1)
                        : new OwnerTotal(total.accounts() + 1, total.deposited(), total.events() + 1))
                .on(MoneyDeposited.class, (total, deposited, meta) -> {
                    if (Thread.currentThread().getName().contains("-totals-v1-g2-")) {
                        heldBack.incrementAndGet();
                        try {
                            release.await(120, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return new OwnerTotal(total.accounts(), total.deposited() + deposited.getAmount(), total.events() + 1);
                })
                .build();
        String first = ProjectionGenerations.applicationId(run, "totals", 1, 1);
        String second = ProjectionGenerations.applicationId(run, "totals", 1, 2);
        assertThat(first).isEqualTo(run + "-projection-totals-v1");
        assertThat(second).isEqualTo(run + "-projection-totals-v1-g2");
        Map<String, Object> client = Map.of("bootstrap.servers", stack.bootstrapServers());
        try (Admin admin = Admin.create(client);
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(events, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            // ann owns a1 and a3, bob a2: ann 1+2+3+... deposited.
            for (int account = 1; account <= 3; account++) {
                String owner = account % 2 == 1 ? "ann" : "bob";
                HandWrittenEvents.send(producer, codec, events, stream, "a" + account, 1, new AccountOpened(owner));
                for (int deposit = 1; deposit <= 4; deposit++) {
                    HandWrittenEvents.send(producer, codec, events, stream, "a" + account, deposit + 1,
                            new MoneyDeposited((long) deposit * account, (long) deposit * account));
                }
            }
            OwnerTotal ann = new OwnerTotal(2, 10 + 30, 10);
            OwnerTotal bob = new OwnerTotal(1, 20, 5);

            // Two instances of the worker application (no HTTP between them: each read goes to both, its owner answers).
            ProjectionHost host = ProjectionHost.start(List.of(totals), ProjectionRuntimes.of(stack, run, codec, stateDir, 1),
                    Optional.empty(), JdbcPositions.DEFAULT_TABLE);
            ProjectionHost other = ProjectionHost.start(List.of(totals), ProjectionRuntimes.of(stack, run, codec, otherStateDir, 2),
                    Optional.empty(), JdbcPositions.DEFAULT_TABLE);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            host.registerMeters(meters);
            List<ProjectionEndpoint> endpoints = List.of(endpoint(host), endpoint(other));
            try {
                awaitServed(endpoints, "ann", ann, 1);
                awaitServed(endpoints, "bob", bob, 1);
                for (ProjectionHost instance : List.of(host, other)) {
                    assertThat(instance.status()).singleElement().satisfies(status -> {
                        assertThat(status.generation()).isEqualTo(1);
                        assertThat(status.role()).isEqualTo("SERVING");
                        assertThat(status.runsAs()).isEqualTo(first);
                    });
                }

                // The reset as an operator asks for it.
                CliRun reset = cli("projection", "reset", "totals", "--yes", "--application-id", run, "--bootstrap-servers",
                        stack.bootstrapServers());
                assertThat(reset.status()).as(reset.out()).isZero();
                assertThat(reset.out()).contains("asked for generation 2 (" + second + ")").contains(first + " serves");
                assertControlRecord(stack, admin, run);

                // Generation 2 builds (held back at its first deposit) while generation 1 answers, and applies a live event.
                await("generation 2 building").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> heldBack.get() > 0 && roles(host).equals(List.of("1 SERVING", "2 BUILDING"))
                                && roles(other).equals(List.of("1 SERVING", "2 BUILDING")));
                HandWrittenEvents.send(producer, codec, events, stream, "a2", 6, new MoneyDeposited(100L, 120L));
                bob = new OwnerTotal(1, 120, 6);
                ProjectionEndpoint.Answer during = ask(endpoints, "bob", Map.of("aggregate", "a2", "minVersion", "6", "waitMs", "60000"));
                assertThat(during.status()).as(JSON.writeValueAsString(during.body())).isEqualTo(200);
                JsonNode body = JSON.valueToTree(during.body());
                assertThat(body.path("generation").asInt()).isEqualTo(1);
                assertThat(JSON.treeToValue(body.path("state"), OwnerTotal.class)).isEqualTo(bob);
                assertThat(roles(host)).as("still rebuilding when generation 1 answered").containsExactly("1 SERVING", "2 BUILDING");
                assertThat(host.status()).filteredOn(status -> status.role().equals("BUILDING")).singleElement()
                        .satisfies(status -> assertThat(status.runsAs()).isEqualTo(second));
                assertThat(generationGauge(meters, "serving")).isEqualTo(1.0);
                assertThat(generationGauge(meters, "building")).isEqualTo(2.0);
                CliRun projections = cli("projections", "--json", "--application-id", run, "--bootstrap-servers", stack.bootstrapServers());
                assertThat(projections.status()).as(projections.out()).isZero();
                assertThat(projections.out().lines().map(BlueGreenResetIT::tree)
                        .map(row -> row.path("projection").asText() + " " + row.path("generation").asInt()).distinct())
                        .contains(first + " 1", second + " 2");
                await("how far generation 2 is behind, measured").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> meters.get("foldstream.projection.rebuild.behind").tag("projection", "totals").gauge().value() > 0);

                // Released, it catches up; each instance switches on its own, and generation 1 is dropped once both have left it.
                release.countDown();
                await("generation 2 serving, generation 1 stopped, on both").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> roles(host).equals(List.of("2 SERVING")) && roles(other).equals(List.of("2 SERVING")));
                awaitServed(endpoints, "ann", ann, 2);
                awaitServed(endpoints, "bob", bob, 2);
                assertThat(generationGauge(meters, "serving")).isEqualTo(2.0);
                assertThat(generationGauge(meters, "building")).isZero();
                // A read forwarded in generation 1 is not answered from generation 2 (the asker tries again); one in 2 is.
                ProjectionEndpoint.Answer stale = endpoints.get(0).get("totals", "bob", Map.of(ProjectionEndpoint.GENERATION, "1"), true)
                        .get(30, TimeUnit.SECONDS);
                assertThat(stale.status()).isEqualTo(503);
                assertThat(JSON.writeValueAsString(stale.body())).contains("NOT_READY").contains("generation 1");
                assertThat(ask(endpoints, "bob", Map.of(ProjectionEndpoint.GENERATION, "2")).status()).isEqualTo(200);
                assertThat(endpoints.get(0).get("totals", "bob", Map.of(ProjectionEndpoint.GENERATION, "two"), true)
                        .get(30, TimeUnit.SECONDS).status()).isEqualTo(400);
                await("generation 1 dropped").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                        admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId).noneMatch(first::equals)
                                && admin.listTopics().names().get().stream().noneMatch(EmbeddedProjectionRunner.internalTopics(first)::contains));
                assertThat(admin.listTopics().names().get()).contains(EmbeddedProjectionRunner.repartitionTopic(second));
                assertThat(Files.exists(stateDir.resolve(first))).as("generation 1's local state").isFalse();
                assertThat(Files.exists(otherStateDir.resolve(first))).as("generation 1's local state, other instance").isFalse();
            } finally {
                release.countDown();
                endpoints.forEach(ProjectionEndpoint::close);
                assertThat(host.close(Duration.ofSeconds(60))).isTrue();
                assertThat(other.close(Duration.ofSeconds(60))).isTrue();
            }

            // A worker started after the reset starts on generation 2, with nothing of generation 1.
            ProjectionHost later = ProjectionHost.start(List.of(totals), ProjectionRuntimes.of(stack, run, codec, laterStateDir), Optional.empty(),
                    JdbcPositions.DEFAULT_TABLE);
            ProjectionEndpoint laterEndpoint = endpoint(later);
            try {
                assertThat(roles(later)).containsExactly("2 SERVING");
                awaitServed(List.of(laterEndpoint), "bob", bob, 2);
            } finally {
                laterEndpoint.close();
                assertThat(later.close(Duration.ofSeconds(60))).isTrue();
            }
        }
    }

    /** The public contract: {@code <app>-projection-generations}, compacted, key {@code <name>-v<version>}, a JSON value. */
    private static void assertControlRecord(KafkaStack.Endpoints stack, Admin admin, String run) throws Exception {
        String topic = run + "-projection-generations";
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition only = new TopicPartition(topic, 0);
            consumer.assign(List.of(only));
            consumer.seekToBeginning(List.of(only));
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            await("the generation request on " + topic).atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
            assertThat(records).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("totals-v1");
                JsonNode value = JSON.readTree(record.value());
                assertThat(value.path("generation").asInt()).isEqualTo(2);
                assertThat(value.path("requestedBy").asText()).startsWith(System.getProperty("user.name") + "@");
                assertThat(java.time.Instant.parse(value.path("requestedAt").asText())).isBeforeOrEqualTo(java.time.Instant.now());
            });
        }
    }

    record CliRun(int status, String out) {
    }

    private static JsonNode tree(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }

    private static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        int status = FoldstreamCli.commandLine(Map.of(), RegistryWiring.current()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(out, true)).execute(args);
        return new CliRun(status, out.toString());
    }

    private static double generationGauge(SimpleMeterRegistry meters, String role) {
        return meters.get("foldstream.projection.generation").tag("projection", "totals").tag("role", role).gauge().value();
    }

    private static List<String> roles(ProjectionHost host) {
        return host.status().stream().map(status -> status.generation() + " " + status.role()).toList();
    }

    private static ProjectionEndpoint endpoint(ProjectionHost host) {
        return new ProjectionEndpoint(host, new OwnerForwarding(Optional.empty(), Optional.empty(), Duration.ofSeconds(5)));
    }

    /**
     * Asks every instance as a forwarded read (so none forwards: nothing listens at their addresses);
     * the key's owner answers, the others say 503. The first answer other than 503, else the last.
     */
    private static ProjectionEndpoint.Answer ask(List<ProjectionEndpoint> endpoints, String key, Map<String, String> params)
            throws Exception {
        List<java.util.concurrent.CompletableFuture<ProjectionEndpoint.Answer>> asked = endpoints.stream()
                .map(endpoint -> endpoint.get("totals", key, params, true)).toList();
        ProjectionEndpoint.Answer last = null;
        for (java.util.concurrent.CompletableFuture<ProjectionEndpoint.Answer> answer : asked) {
            last = answer.get(70, TimeUnit.SECONDS);
            if (last.status() != 503) {
                return last;
            }
        }
        return last;
    }

    private static void awaitServed(List<ProjectionEndpoint> endpoints, String key, OwnerTotal expected, int generation) {
        await(key + " served by generation " + generation).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            ProjectionEndpoint.Answer answer = ask(endpoints, key, Map.of());
            if (answer.status() != 200) {
                return false;
            }
            JsonNode body = JSON.valueToTree(answer.body());
            return body.path("generation").asInt() == generation && JSON.treeToValue(body.path("state"), OwnerTotal.class).equals(expected);
        });
    }
}
