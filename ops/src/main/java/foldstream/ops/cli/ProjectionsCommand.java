package foldstream.ops.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream projections}: where every projection version stands, per partition: its
 * position (the next offset it applies), the end of the topic, the lag, and when the last event it
 * applied was written. Read from Kafka alone (the projections' consumer groups: embedded ones commit
 * there, JDBC ones mirror their database position there), so it needs no worker.
 *
 * <pre>{@code
 * foldstream projections
 * foldstream projections --application-id foldstream --json
 * }</pre>
 */
@Command(name = "projections", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Shows each projection version's position, lag and last applied time per partition.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:printed", "1:Kafka unreachable", "2:bad usage"})
final class ProjectionsCommand implements Callable<Integer> {

    static final String MARK = "-projection-";

    @Mixin
    ClientOptions client;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Only the projections of this worker application (default: every one)")
    String applicationId;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    ProjectionsCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** One partition of one projection version. */
    record Row(String group, TopicPartition partition, long position, long end, Instant lastApplied) {
        long lag() {
            return Math.max(0, end - position);
        }

        /** The projection generation the group runs: {@code -g<G>} after its version, else 1 (docs/projections.md, Rebuilding). */
        int generation() {
            Matcher suffix = GENERATION.matcher(group);
            return suffix.find() ? Integer.parseInt(suffix.group(1)) : 1;
        }
    }

    private static final Pattern GENERATION = Pattern.compile("-v\\d+-g(\\d+)$");

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            List<Row> rows = rows(client.kafka(env));
            if (client.json) {
                for (Row row : rows) {
                    out.println(JsonLines.object().put("projection", row.group()).put("generation", row.generation())
                            .put("topic", row.partition().topic())
                            .put("partition", row.partition().partition()).put("position", row.position()).put("end", row.end())
                            .put("lag", row.lag()).put("lastApplied", row.lastApplied() == null ? null : row.lastApplied().toString()));
                }
            } else if (rows.isEmpty()) {
                out.println("no projection has applied an event yet" + (applicationId == null ? "" : " in " + applicationId));
            } else {
                out.printf("%-50s %-32s %9s %9s %7s  %s%n", "PROJECTION", "TOPIC/PARTITION", "POSITION", "END", "LAG", "LAST APPLIED");
                for (Row row : rows) {
                    out.printf("%-50s %-32s %9d %9d %7d  %s%n", row.group(), row.partition().topic() + "/" + row.partition().partition(),
                            row.position(), row.end(), row.lag(), row.lastApplied() == null ? "-" : row.lastApplied());
                }
            }
            return ExitStatus.OK;
        } catch (CliFailure e) {
            err.println("foldstream projections: " + e.getMessage());
            return e.status();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private List<Row> rows(Map<String, Object> kafka) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        try (Admin admin = Admin.create(kafka)) {
            Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get(client.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> projections = groups.stream().map(ConsumerGroupListing::groupId)
                    .filter(id -> applicationId == null ? id.contains(MARK) : id.startsWith(applicationId + MARK)).sorted().toList();
            for (String group : projections) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(client.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                        .get(client.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, Instant> lastApplied = lastApplied(kafka, committed);
                committed.entrySet().stream()
                        .filter(entry -> entry.getValue() != null)
                        .sorted(Map.Entry.comparingByKey((x, y) -> x.topic().equals(y.topic())
                                ? Integer.compare(x.partition(), y.partition()) : x.topic().compareTo(y.topic())))
                        .forEach(entry -> rows.add(new Row(group, entry.getKey(), entry.getValue().offset(),
                                ends.get(entry.getKey()).offset(), lastApplied.get(entry.getKey()))));
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new CliFailure(ExitStatus.FAILED, "Kafka at " + kafka.get("bootstrap.servers") + " did not answer: "
                    + (e.getCause() == null ? e : e.getCause()));
        }
        return rows;
    }

    /** The timestamp of the last record before each position: when the last event applied was written. */
    private Map<TopicPartition, Instant> lastApplied(Map<String, Object> kafka, Map<TopicPartition, OffsetAndMetadata> positions) {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<TopicPartition, Instant> times = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (Map.Entry<TopicPartition, OffsetAndMetadata> position : positions.entrySet()) {
                if (position.getValue() == null || position.getValue().offset() == 0) {
                    continue;
                }
                long next = position.getValue().offset();
                consumer.assign(List.of(position.getKey()));
                // A transaction marker can sit just before the position: look a few records back.
                consumer.seek(position.getKey(), Math.max(0, next - 3));
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < deadline && !times.containsKey(position.getKey())) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.offset() < next) {
                            times.put(position.getKey(), Instant.ofEpochMilli(record.timestamp()));
                        }
                    }
                    if (consumer.position(position.getKey()) >= next) {
                        break;
                    }
                }
            }
        }
        return times;
    }
}
