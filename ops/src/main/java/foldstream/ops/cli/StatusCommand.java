package foldstream.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream status}: per aggregate type and partition of {@code S-commands}, the instance that
 * owns it, the commands waiting and when it last made progress; then each worker's health and
 * readiness. Owners and waiting commands come from Kafka (the application's consumer group and
 * offsets); last progress and health from the workers' {@code /metrics}, {@code /health} and
 * {@code /ready}, for the workers named with {@code --workers}.
 *
 * <pre>{@code
 * foldstream status --bootstrap-servers 127.0.0.1:9092 --workers http://127.0.0.1:8080,http://127.0.0.1:8081
 * TYPE      PARTITION  OWNER                  WAITING  LAST PROGRESS
 * ex_users  0          http://127.0.0.1:8080  0        1 s ago
 * ...
 * WORKER                 HEALTH  READY  DETAIL
 * http://127.0.0.1:8080  UP      yes
 * }</pre>
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows each type's partitions (owner, commands waiting, last progress) and each worker's health.")
final class StatusCommand implements Callable<Integer> {

    private static final Pattern SAMPLE = Pattern.compile(
            "^(foldstream_partition_(?:since_progress_seconds|owned))\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    @Mixin
    ClientOptions client;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "The workers' application id (default: foldstream). Env: FOLDSTREAM_APPLICATION_ID")
    String applicationId;

    @Option(names = "--workers", paramLabel = "URL[,...]", split = ",",
            description = "Workers' HTTP endpoints, for last progress and health. Env: FOLDSTREAM_WORKERS")
    List<String> workers = new ArrayList<>();

    @Option(names = "--types", paramLabel = "NAME[,...]", split = ",",
            description = "Aggregate types to show (default: every topic named <type>-commands)")
    List<String> types = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    StatusCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** One partition's row. */
    record PartitionRow(String type, int partition, String owner, long waiting, Double secondsSinceProgress) {
    }

    /** One worker's health. */
    record WorkerRow(String url, String health, boolean ready, JsonNode checks, String problem) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String application = pick(applicationId, env.get("FOLDSTREAM_APPLICATION_ID"), "foldstream");
            List<String> urls = workers.isEmpty() && env.get("FOLDSTREAM_WORKERS") != null
                    ? List.of(env.get("FOLDSTREAM_WORKERS").split(",")) : workers;
            List<WorkerRow> workerRows = new ArrayList<>();
            Map<String, String> ownerByPartition = new HashMap<>();
            Map<String, Double> progressByPartition = new HashMap<>();
            for (String url : urls) {
                workerRows.add(worker(url.trim(), ownerByPartition, progressByPartition));
            }
            List<PartitionRow> partitionRows = partitions(application, ownerByPartition, progressByPartition);
            if (client.json) {
                for (PartitionRow row : partitionRows) {
                    ObjectNode line = JsonLines.object().put("type", row.type()).put("partition", row.partition())
                            .put("owner", row.owner()).put("waiting", row.waiting());
                    if (row.secondsSinceProgress() == null) {
                        line.putNull("secondsSinceProgress");
                    } else {
                        line.put("secondsSinceProgress", row.secondsSinceProgress());
                    }
                    out.println(line);
                }
                for (WorkerRow row : workerRows) {
                    ObjectNode line = JsonLines.object().put("worker", row.url()).put("health", row.health()).put("ready", row.ready());
                    line.set("checks", row.checks() == null ? JsonLines.MAPPER.createArrayNode() : row.checks());
                    if (row.problem() != null) {
                        line.put("problem", row.problem());
                    }
                    out.println(line);
                }
            } else {
                print(out, partitionRows, workerRows, urls.isEmpty());
            }
            out.flush();
            return ExitStatus.OK;
        } catch (CliFailure e) {
            err.println("foldstream status: " + e.getMessage());
            return e.status();
        }
    }

    private List<PartitionRow> partitions(String application, Map<String, String> ownerByPartition,
                                          Map<String, Double> progressByPartition) {
        Map<String, Object> kafka = client.kafka(env);
        long timeout = client.connectTimeout.toMillis();
        try (Admin admin = Admin.create(kafka)) {
            List<String> topics = admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS).stream()
                    .filter(name -> name.endsWith("-commands"))
                    .filter(name -> types.isEmpty() || types.contains(name.substring(0, name.length() - "-commands".length())))
                    .sorted().toList();
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(timeout, TimeUnit.MILLISECONDS).values()) {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(application)
                    .partitionsToOffsetAndMetadata().get(timeout, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            partitions.forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin
                    .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(timeout, TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
                    .get(timeout, TimeUnit.MILLISECONDS);
            Map<TopicPartition, String> members = new HashMap<>();
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(application)).all()
                    .get(timeout, TimeUnit.MILLISECONDS).get(application);
            if (group != null) {
                for (MemberDescription member : group.members()) {
                    member.assignment().topicPartitions().forEach(tp -> members.put(tp, member.host() + " " + member.clientId()));
                }
            }
            List<PartitionRow> rows = new ArrayList<>();
            for (TopicPartition tp : partitions.stream().sorted((a, b) -> a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic())).toList()) {
                String type = tp.topic().substring(0, tp.topic().length() - "-commands".length());
                String key = type + "/" + tp.partition();
                OffsetAndMetadata at = committed.get(tp);
                long from = at != null ? at.offset() : starts.get(tp).offset();
                String owner = ownerByPartition.getOrDefault(key, members.getOrDefault(tp, "-"));
                rows.add(new PartitionRow(type, tp.partition(), owner, Math.max(0, ends.get(tp).offset() - from),
                        progressByPartition.get(key)));
            }
            return rows;
        } catch (ExecutionException | TimeoutException e) {
            throw new CliFailure(ExitStatus.FAILED, "Kafka at " + kafka.get("bootstrap.servers") + " did not answer: "
                    + (e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitStatus.FAILED, "interrupted");
        }
    }

    /** A worker's health and readiness, and the partitions it owns with their last progress, from its HTTP API. */
    private WorkerRow worker(String url, Map<String, String> ownerByPartition, Map<String, Double> progressByPartition) {
        try {
            HttpResponse<String> health = get(url + "/health");
            HttpResponse<String> ready = get(url + "/ready");
            HttpResponse<String> metrics = get(url + "/metrics");
            Map<String, Double> owned = new HashMap<>();
            Map<String, Double> progress = new HashMap<>();
            Matcher sample = SAMPLE.matcher(metrics.body());
            while (sample.find()) {
                Map<String, String> labels = new TreeMap<>();
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
                String key = labels.get("type") + "/" + labels.get("partition");
                double value = Double.parseDouble(sample.group(3));
                (sample.group(1).endsWith("owned") ? owned : progress).put(key, value);
            }
            owned.forEach((key, value) -> {
                if (value == 1.0) {
                    ownerByPartition.put(key, url);
                    progressByPartition.put(key, progress.get(key));
                }
            });
            JsonNode report = JsonLines.parse(health.body());
            return new WorkerRow(url, report.path("status").asText("?"), ready.statusCode() == 200, report.get("checks"), null);
        } catch (IOException | RuntimeException e) {
            return new WorkerRow(url, "UNREACHABLE", false, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitStatus.FAILED, "interrupted");
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(client.connectTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void print(PrintWriter out, List<PartitionRow> partitions, List<WorkerRow> workers, boolean noWorkers) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TYPE", "PARTITION", "OWNER", "WAITING", "LAST PROGRESS"));
        for (PartitionRow row : partitions) {
            rows.add(List.of(row.type(), Integer.toString(row.partition()), row.owner(), Long.toString(row.waiting()),
                    row.secondsSinceProgress() == null ? "-" : Math.round(row.secondsSinceProgress()) + " s ago"));
        }
        TopicTable.columns(out, rows);
        out.println();
        if (noWorkers) {
            out.println("(name the workers' HTTP endpoints with --workers to see their last progress and health)");
            return;
        }
        List<List<String>> health = new ArrayList<>();
        health.add(List.of("WORKER", "HEALTH", "READY", "DETAIL"));
        for (WorkerRow row : workers) {
            List<String> failing = new ArrayList<>();
            if (row.checks() instanceof ArrayNode checks) {
                checks.forEach(check -> {
                    if (!"UP".equals(check.path("state").asText())) {
                        failing.add(check.path("name").asText() + ": " + check.path("detail").asText());
                    }
                });
            }
            if (row.problem() != null) {
                failing.add(row.problem());
            }
            health.add(List.of(row.url(), row.health(), row.ready() ? "yes" : "no", String.join("; ", failing)));
        }
        TopicTable.columns(out, health);
    }

    private static String pick(String flag, String env, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        return env != null && !env.isBlank() ? env.trim() : fallback;
    }
}
