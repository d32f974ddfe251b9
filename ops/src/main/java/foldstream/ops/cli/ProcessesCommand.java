package foldstream.ops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import foldstream.protocol.ProcessCommand;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessSnapshotCodec;
import foldstream.worker.process.runtime.ProcessStores;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream processes NAME}: the instances of a process manager that are in flight, those
 * stuck (in flight, no progress for longer than {@code --stuck-after}) and those failed, read from the
 * changelog of the process's instance store (no worker needs to be up; compacted, so it holds the
 * latest of each instance still kept).
 *
 * <pre>{@code
 * foldstream processes transfer
 * foldstream processes transfer --stuck-after 2m --json
 * }</pre>
 */
@Command(name = "processes", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Lists the instances of a process manager that are in flight, stuck (in flight with no progress for longer than"
                    + " --stuck-after) and failed, with what each waits for; finished ones are counted.",
            "Reads the changelog of the process's instance store: <application-id>-process-<NAME>-<NAME>-instances-changelog."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:listed (also when some are stuck or failed)",
            "1:Kafka unreachable or failing, or the process has never run with this application id",
            "2:bad usage: unknown process, a bad option"})
final class ProcessesCommand implements Callable<Integer> {

    /** What an instance is, for the listing. */
    enum Condition { IN_FLIGHT, STUCK, FAILED, FINISHED }

    @Parameters(index = "0", paramLabel = "NAME", description = "The process, e.g. transfer")
    String name;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "The workers' application id (default: " + WorkerSettings.DEFAULT_APPLICATION_ID
                    + "). Env: FOLDSTREAM_APPLICATION_ID")
    String applicationId;

    @Option(names = "--stuck-after", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5m",
            description = "In flight with no progress for longer than this is stuck (default: 5m)")
    Duration stuckAfter;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final List<ProcessType<?>> known;
    private final Clock clock;

    ProcessesCommand(Map<String, String> env, List<? extends ProcessType<?>> known, Clock clock) {
        this.env = Map.copyOf(env);
        this.known = List.copyOf(known);
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (known.stream().noneMatch(p -> p.name().equals(name))) {
                throw new CliFailure(ExitStatus.USAGE, "unknown process " + name + "; known: "
                        + String.join(", ", known.stream().map(ProcessType::name).toList()));
            }
            String app = ProcessStores.applicationId(applicationId != null && !applicationId.isBlank() ? applicationId.trim()
                    : env.getOrDefault("FOLDSTREAM_APPLICATION_ID", WorkerSettings.DEFAULT_APPLICATION_ID), name);
            String topic = ProcessStores.of(name).instancesChangelog(app);
            List<ProcessSnapshot> instances = read(topic);
            print(out, app, instances, clock.instant());
            return ExitStatus.OK;
        } catch (CliFailure e) {
            err.println("foldstream processes: " + e.getMessage());
            return e.status();
        } finally {
            out.flush();
            err.flush();
        }
    }

    static Condition condition(ProcessSnapshot instance, Instant now, Duration stuckAfter) {
        return switch (instance.getStatus()) {
            case FAILED -> Condition.FAILED;
            case FINISHED -> Condition.FINISHED;
            case ACTIVE -> instance.getUpdatedAt().plus(stuckAfter).isBefore(now) ? Condition.STUCK : Condition.IN_FLIGHT;
        };
    }

    private void print(PrintWriter out, String app, List<ProcessSnapshot> instances, Instant now) {
        Map<Condition, Integer> counts = new LinkedHashMap<>();
        for (Condition c : Condition.values()) {
            counts.put(c, 0);
        }
        List<ProcessSnapshot> listed = new ArrayList<>();
        for (ProcessSnapshot instance : instances) {
            Condition c = condition(instance, now, stuckAfter);
            counts.merge(c, 1, Integer::sum);
            if (c != Condition.FINISHED) {
                listed.add(instance);
            }
        }
        listed.sort(Comparator.comparing(ProcessSnapshot::getUpdatedAt));
        if (!client.json) {
            out.println(name + " (application " + app + "): " + counts.get(Condition.IN_FLIGHT) + " in flight, "
                    + counts.get(Condition.STUCK) + " stuck longer than " + DurationConverter.format(stuckAfter) + ", "
                    + counts.get(Condition.FAILED) + " failed, " + counts.get(Condition.FINISHED) + " finished and kept");
        }
        for (ProcessSnapshot instance : listed) {
            Condition c = condition(instance, now, stuckAfter);
            List<String> waiting = new ArrayList<>();
            for (ProcessCommand command : instance.getCommands()) {
                if (command.getOutcome() == null) {
                    waiting.add(command.getCommandType().replaceAll(".*\\.", "") + " to " + command.getAggregateType() + "/"
                            + command.getAggregateId() + " (" + command.getCommandId() + ")");
                }
            }
            if (client.json) {
                ObjectNode line = JsonLines.object();
                line.put("process", name).put("id", instance.getInstanceId()).put("condition", c.name())
                        .put("step", instance.getStep()).put("updatedAt", instance.getUpdatedAt().toString())
                        .put("idleMs", Duration.between(instance.getUpdatedAt(), now).toMillis())
                        .put("error", instance.getError());
                ArrayNode w = line.putArray("waitingFor");
                waiting.forEach(w::add);
                ArrayNode d = line.putArray("deadlines");
                for (ProcessDeadline deadline : instance.getDeadlines()) {
                    d.addObject().put("name", deadline.getName()).put("dueAt", deadline.getDueAt().toString());
                }
                out.println(line);
            } else {
                StringBuilder text = new StringBuilder(String.format("%-9s %s  step %d  last change %s (%s ago)",
                        c.name().replace('_', ' '), instance.getInstanceId(), instance.getStep(), instance.getUpdatedAt(),
                        DurationConverter.format(Duration.ofSeconds(Duration.between(instance.getUpdatedAt(), now).toSeconds()))));
                if (!waiting.isEmpty()) {
                    text.append("  waiting for ").append(String.join(", ", waiting));
                }
                for (ProcessDeadline deadline : instance.getDeadlines()) {
                    text.append("  deadline ").append(deadline.getName()).append(" at ").append(deadline.getDueAt());
                }
                if (instance.getError() != null) {
                    text.append("  error: ").append(instance.getError());
                }
                out.println(text);
            }
        }
    }

    /** The latest value of every key still in the changelog. */
    private List<ProcessSnapshot> read(String topic) {
        Map<String, Object> settings = new HashMap<>(client.kafka(env));
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        ProcessSnapshotCodec codec = new ProcessSnapshotCodec();
        Map<String, ProcessSnapshot> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, client.connectTimeout);
            if (infos == null || infos.isEmpty()) {
                throw new CliFailure(ExitStatus.FAILED, "the topic " + topic + " does not exist at " + settings.get("bootstrap.servers")
                        + ": process " + name + " has not run with this application id (see --application-id)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, client.connectTimeout);
            long deadline = System.nanoTime() + client.connectTimeout.toNanos() * 4;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new CliFailure(ExitStatus.FAILED, "could not read " + topic + " to its end in time");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), codec.decode(record.value()));
                    }
                }
            }
        } catch (KafkaException e) {
            throw new CliFailure(ExitStatus.FAILED, "Kafka at " + settings.get("bootstrap.servers") + " failed: " + e.getMessage());
        }
        return new ArrayList<>(latest.values());
    }
}
