package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.ops.cli.FoldstreamCli;
import foldstream.ops.cli.RegistryWiring;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.observe.HealthSettings;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker's {@code /metrics}, {@code /health} and {@code /ready} on a real broker and registry:
 * the outcome counters equal the results on {@code S-results}, the latency histograms are filled,
 * and a partition stalled by an aggregate whose decide blocks turns {@code /health} to 503, naming
 * the partition, within the stall timeout, and back to 200 once it moves again.
 */
@ExtendWith(KafkaStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIT {

    private static final Duration STALL = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final AggregateType<AccountState> accounts = Accounts.type().withName("it_obs_accounts");
    private final CountDownLatch unblock = new CountDownLatch(1);
    /** Counters whose decide blocks on {@code Increment{by: 13}} until the test lets it go: a stalled partition. */
    private final AggregateType<CounterState> blocking = OnThirteen.type("it_obs_blocking", () -> {
        try {
            unblock.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    });

    /** Pure event sourcing: each task rebuilds its snapshots from S-events when it starts, so the rebuild gauges exist. */
    private final AggregateType<CounterState> rebuilt = Counters.type().withName("it_obs_rebuilt").withStorageMode(StorageMode.EVENTS_ONLY);

    private KafkaStack.Endpoints stack;
    private HttpSchemaRegistryClient registry;
    private FoldstreamWorker worker;

    @BeforeAll
    void start(KafkaStack.Endpoints endpoints, @TempDir Path stateDir) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        WorkerSettings settings = WorkerSettings.of(stack.bootstrapServers())
                .withApplicationId("it-obs-" + UUID.randomUUID())
                .withStateDir(stateDir)
                .withPartitions(3)
                .withHttpPort(0)
                .withProperties(Map.of("commit.interval.ms", "50"));
        worker = new FoldstreamWorker(settings, List.of(accounts, blocking, rebuilt), registry, ProcessingOptions.DEFAULTS,
                Clock.systemUTC(), new HealthSettings(STALL, Duration.ofSeconds(60)));
        worker.start();
        await().atMost(WAIT).until(() -> worker.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    void stop() {
        unblock.countDown();
        if (worker != null) {
            worker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void outcomeCountersEqualTheResultsOnTheResultsTopicAndHistogramsAreFilled() throws Exception {
        PrometheusMeterRegistry gatewayMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AvroWireCodec codec = new AvroWireCodec(registry, false);
        String type = accounts.name();
        try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec,
                List.of(type), gatewayMeters)) {
            List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
            List<String> ids = List.of("acc-" + UUID.randomUUID(), "acc-" + UUID.randomUUID(), "acc-" + UUID.randomUUID(),
                    "acc-" + UUID.randomUUID());
            for (String id : ids) {
                sent.add(gateway.send(type, id, new OpenAccount("ann")));                        // ACCEPTED
            }
            join(sent);
            SendOptions depositOnce = SendOptions.defaults().withCommandId("deposit-" + UUID.randomUUID());
            for (String id : ids) {
                sent.add(gateway.send(type, id, new Deposit(10L), id.equals(ids.get(1)) ? depositOnce : SendOptions.defaults()));
            }
            join(sent);
            sent.add(gateway.send(type, ids.get(1), new Deposit(10L), depositOnce));             // a duplicate
            sent.add(gateway.send(type, ids.get(2), new Withdraw(100L)));                        // REJECTED
            sent.add(gateway.send(type, ids.get(3), new Withdraw(100L)));                        // REJECTED
            sent.add(gateway.send(type, "nobody-" + UUID.randomUUID(), new Deposit(1L)));        // NOT_FOUND
            sent.add(gateway.send(type, ids.get(0), new OpenAccount("bob")));                    // ALREADY_EXISTS
            join(sent);
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(AggregateTopics.of(type).commands(), "junk".getBytes(), new byte[] {1, 2, 3})).get();
            }
            int expected = sent.size() + 1;

            List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>();
            await("every result on S-results").atMost(WAIT).until(() -> {
                results.clear();
                results.addAll(InProcessWorker.readCommitted(stack, AggregateTopics.of(type).results()));
                return results.size() == expected;
            });
            Map<String, Integer> decided = new HashMap<>();
            Set<String> answered = new HashSet<>();
            int repeated = 0;
            for (ConsumerRecord<byte[], byte[]> record : results) {
                CommandResult result = codec.decode(record.value(), CommandResult.class);
                if (!answered.add(record.key() == null ? "" : new String(record.key()) + "/" + result.getCommandId())) {
                    repeated++;
                } else {
                    decided.merge(result.getOutcome().name(), 1, Integer::sum);
                }
            }
            assertThat(repeated).isEqualTo(1);
            assertThat(decided).containsKeys("ACCEPTED", "REJECTED", "NOT_FOUND", "ALREADY_EXISTS", "MALFORMED");

            MetricsScrape scrape = MetricsScrape.parse(FacadeHttp.get(worker.httpPort(), "/metrics").body());
            Map<String, String> ofType = Map.of("type", type);
            for (Outcome outcome : Outcome.values()) {
                assertThat(scrape.sum("foldstream_commands_total", Map.of("type", type, "outcome", outcome.name())))
                        .as(outcome.name()).isEqualTo(decided.getOrDefault(outcome.name(), 0).doubleValue());
            }
            assertThat(scrape.sum("foldstream_duplicates_total", ofType)).isEqualTo(repeated);
            assertThat(scrape.sum("foldstream_dlq_records_total", ofType)).isEqualTo(1.0);
            assertThat(scrape.sum("foldstream_events_written_total", ofType))
                    .isEqualTo(InProcessWorker.readCommitted(stack, AggregateTopics.of(type).events()).size());
            double decidedCount = expected - repeated;
            assertThat(scrape.sum("foldstream_command_end_to_end_seconds_count", ofType)).isEqualTo(decidedCount);
            assertThat(scrape.sum("foldstream_command_process_seconds_count", ofType)).isEqualTo(expected);
            assertThat(scrape.sum("foldstream_decide_seconds_count", ofType)).isEqualTo(decidedCount - 1); // not the unreadable one
            assertThat(scrape.sum("foldstream_command_end_to_end_seconds_sum", ofType)).isPositive();
            assertThat(scrape.sum("foldstream_command_end_to_end_seconds_bucket", Map.of("type", type, "le", "+Inf")))
                    .isEqualTo(decidedCount);
            // Buckets, from which Prometheus computes any percentile (histogram_quantile).
            assertThat(scrape.samples()).filteredOn(s -> s.name().equals("foldstream_decide_seconds_bucket")
                    && type.equals(s.labels().get("type"))).hasSizeGreaterThan(10);
            // One scrape shows Kafka Streams' and the JVM's meters too.
            assertThat(scrape.names()).anyMatch(name -> name.startsWith("kafka_stream_"));
            // RocksDB's key estimates of the snapshot and answered-commands stores, taken every 10 s.
            await("store estimates").atMost(WAIT).until(() -> {
                MetricsScrape now = MetricsScrape.parse(FacadeHttp.get(worker.httpPort(), "/metrics").body());
                return now.sum("foldstream_snapshots_estimated", ofType) > 0 && now.sum("foldstream_answered_commands_estimated", ofType) > 0;
            });
            assertThat(scrape.names()).contains("jvm_memory_used_bytes", "foldstream_partition_commands_waiting",
                    "foldstream_partition_since_progress_seconds", "foldstream_cache_hits_total");

            String gatewayScrape = gatewayMeters.scrape();
            MetricsScrape gatewaySide = MetricsScrape.parse(gatewayScrape);
            assertThat(gatewaySide.sum("foldstream_gateway_commands_sent_total", ofType)).isEqualTo(sent.size());
            assertThat(gatewaySide.sum("foldstream_gateway_results_received_total", ofType)).isEqualTo(sent.size());
            assertThat(gatewaySide.sum("foldstream_gateway_latency_seconds_count", ofType)).isEqualTo(sent.size());
            assertThat(gatewaySide.sum("foldstream_gateway_timeouts_total", ofType)).isZero();
            assertThat(gatewaySide.sum("foldstream_gateway_in_flight", Map.of())).isZero();
        }
    }

    @Test
    void aStalledPartitionTurnsHealthDownNamingItAndUpAgainOnceItMoves() throws Exception {
        FacadeHttp.Reply healthy = FacadeHttp.get(worker.httpPort(), "/health");
        assertThat(healthy.status()).as(healthy.body()).isEqualTo(200);
        assertThat(healthy.json().get("checks")).extracting(check -> check.get("name").asText())
                .contains("streams", "stream-threads", "partitions", "broker", "registry");

        AvroWireCodec codec = new AvroWireCodec(registry, false);
        String id = "stuck-" + UUID.randomUUID();
        try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), codec,
                List.of(blocking.name()))) {
            try {
                stalls(gateway, id);
            } finally {
                unblock.countDown();
            }
            await("/health 200 again").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> FacadeHttp.get(worker.httpPort(), "/health").status() == 200);
        }
    }

    private void stalls(CommandGateway gateway, String id) throws Exception {
        {
            CompletableFuture<CommandResult> stuck = gateway.send(blocking.name(), id, new Increment(13),
                    SendOptions.defaults().withTimeout(WAIT.multipliedBy(2)));
            long sent = System.nanoTime();
            FacadeHttp.Reply[] down = new FacadeHttp.Reply[1];
            await("/health 503").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                down[0] = FacadeHttp.get(worker.httpPort(), "/health");
                return down[0].status() == 503;
            });
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as(down[0].body()).isGreaterThanOrEqualTo(STALL);
            JsonNode partitions = check(down[0].json(), "partitions");
            assertThat(partitions.get("state").asText()).isEqualTo("DOWN");
            assertThat(partitions.get("detail").asText()).contains(blocking.name() + "/");
            // Stalled is not unready: the instance still runs its partitions.
            assertThat(FacadeHttp.get(worker.httpPort(), "/ready").status()).isEqualTo(200);

            unblock.countDown();
            assertThat(stuck.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        }
    }

    @Test
    void everyMetricTheAlertRulesAndTheDashboardUseIsExposedByARealScrape() throws Exception {
        Map<String, String> rebuiltType = Map.of("type", rebuilt.name());
        await("the event-sourced partitions' catch-up done").atMost(WAIT).until(() -> {
            MetricsScrape scrape = MetricsScrape.parse(FacadeHttp.get(worker.httpPort(), "/metrics").body());
            return scrape.samples().stream().filter(sample -> sample.name().equals("foldstream_rebuild_running")
                    && rebuilt.name().equals(sample.labels().get("type"))).count() == 3
                    && scrape.sum("foldstream_rebuild_running", rebuiltType) == 0
                    && scrape.sum("foldstream_rebuild_events_to_go", rebuiltType) == 0;
        });
        Set<String> exposed = MetricsScrape.parse(FacadeHttp.get(worker.httpPort(), "/metrics").body()).names();
        Path ops = Path.of("..", "ops");
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ops.resolve("prometheus/foldstream-alerts.yml").toFile());
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String alert = rule.get("alert").asText();
                alerts.add(alert);
                assertThat(rule.get("labels").get("severity").asText()).as(alert).isIn("critical", "warning", "info");
                assertThat(rule.get("annotations").get("summary").asText()).as(alert).isNotBlank();
                Set<String> used = metricNames(rule.get("expr").asText());
                assertThat(used).as(alert + " uses metrics").isNotEmpty();
                assertThat(exposed).as(alert + " uses " + used).containsAll(used);
            }
        }
        assertThat(alerts).contains("FoldstreamPartitionStalled", "FoldstreamLagRising", "FoldstreamDeadLetters",
                "FoldstreamFailedCommands", "FoldstreamRestoring", "FoldstreamRebuilding");

        JsonNode dashboard = new ObjectMapper().readTree(ops.resolve("grafana/foldstream-dashboard.json").toFile());
        int targets = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Set<String> used = metricNames(target.get("expr").asText());
                assertThat(exposed).as(panel.get("title").asText() + " uses " + used).containsAll(used);
                targets++;
            }
        }
        assertThat(targets).isGreaterThan(10);
    }

    @Test
    void statusShowsEachPartitionsOwnerWaitingAndProgressAndTheWorkersHealth() {
        String url = "http://127.0.0.1:" + worker.httpPort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = FoldstreamCli.commandLine(Map.of(), RegistryWiring.current()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute("status", "--bootstrap-servers", stack.bootstrapServers(),
                        "--application-id", worker.settings().applicationId(), "--workers", url, "--types", accounts.name(), "--json");

        assertThat(status).as(err.toString()).isZero();
        List<JsonNode> lines = out.toString().lines().map(FacadeHttp::parse).toList();
        List<JsonNode> partitions = lines.stream().filter(line -> line.has("partition")).toList();
        assertThat(partitions).extracting(line -> line.get("partition").asInt()).containsExactly(0, 1, 2);
        for (JsonNode partition : partitions) {
            assertThat(partition.get("type").asText()).isEqualTo(accounts.name());
            assertThat(partition.get("owner").asText()).isEqualTo(url);
            assertThat(partition.get("waiting").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(partition.get("secondsSinceProgress").isNumber()).as(partition.toString()).isTrue();
        }
        JsonNode instance = lines.stream().filter(line -> line.has("worker")).findFirst().orElseThrow();
        assertThat(instance.get("worker").asText()).isEqualTo(url);
        assertThat(instance.get("ready").asBoolean()).isTrue();
        assertThat(instance.get("checks")).extracting(check -> check.get("name").asText()).contains("partitions", "broker");

        StringWriter table = new StringWriter();
        FoldstreamCli.commandLine(Map.of(), RegistryWiring.current()).setOut(new PrintWriter(table, true))
                .execute("status", "--bootstrap-servers", stack.bootstrapServers(), "--application-id",
                        worker.settings().applicationId(), "--workers", url, "--types", accounts.name());
        assertThat(table.toString()).contains("TYPE", "PARTITION", "OWNER", "WAITING", "LAST PROGRESS", "WORKER", "HEALTH", "READY")
                .contains(accounts.name() + "  2").contains(url);
    }

    /** The metric names in a PromQL expression: Foldstream's, Kafka's, the JVM's and the process's. */
    private static Set<String> metricNames(String expr) {
        Set<String> names = new HashSet<>();
        Matcher matcher = Pattern.compile("\\b(?:foldstream|kafka|jvm|process|system)_[a-zA-Z0-9_]+").matcher(expr);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    private static JsonNode check(JsonNode report, String name) {
        for (JsonNode check : report.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }

    private static void join(List<CompletableFuture<CommandResult>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    }
}
