package foldstream.worker.observe;

import foldstream.worker.serialization.DependencyStatus;
import foldstream.worker.serialization.RegistryWait;
import foldstream.worker.serialization.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the cluster every few seconds from a thread of its own: the commands waiting on each
 * partition this instance runs (end offset minus the application's committed offset of
 * {@code S-commands}), and whether the broker and the schema registry answer. The health checks
 * read when each last answered. The registry probe reports into the codec's
 * {@link foldstream.worker.serialization.RegistryHealth}, the one status of the registry that the
 * records' own calls update too.
 *
 * <pre>{@code
 * ClusterWatch watch = new ClusterWatch(admin, "foldstream", Map.of("ex_users-commands", "ex_users"),
 *         registry, codec.registryWait(), "ex_users-results-value", metrics, Duration.ofSeconds(5), System::currentTimeMillis);
 * watch.start();
 * }</pre>
 */
public final class ClusterWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    private final Admin admin;
    private final String groupId;
    private final Map<String, String> typeByCommandsTopic;
    private final SchemaRegistryClient registry;
    private final RegistryWait registryWait;
    private final String probeSubject;
    private final WorkerMetrics metrics;
    private final Duration every;
    private final LongSupplier wallClock;
    private final ScheduledExecutorService thread;
    private final long startedAt;
    private volatile long brokerAnsweredAt;
    private volatile String brokerProblem = "";
    private List<TopicPartition> partitions;

    /**
     * @param typeByCommandsTopic each type's {@code S-commands} topic and the type's name
     * @param registryWait the codec's: the probe reports into its {@code RegistryHealth}
     * @param probeSubject a subject the registry is asked about (any answer about it, even "not found", means it
     *     answers; a refusal such as 401 does not)
     */
    public ClusterWatch(Admin admin, String groupId, Map<String, String> typeByCommandsTopic, SchemaRegistryClient registry,
                        RegistryWait registryWait, String probeSubject, WorkerMetrics metrics, Duration every, LongSupplier wallClock) {
        this.admin = admin;
        this.groupId = groupId;
        this.typeByCommandsTopic = Map.copyOf(typeByCommandsTopic);
        this.registry = registry;
        this.registryWait = registryWait;
        this.probeSubject = probeSubject;
        this.metrics = metrics;
        this.every = every;
        this.wallClock = wallClock;
        this.startedAt = wallClock.getAsLong();
        this.brokerAnsweredAt = startedAt;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "foldstream-cluster-watch");
            t.setDaemon(true);
            return t;
        });
    }

    public ClusterWatch start() {
        thread.scheduleWithFixedDelay(this::lookOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One look at the broker and the registry (the watch's thread calls it; tests may too). */
    void lookOnce() {
        try {
            waiting();
            brokerAnsweredAt = wallClock.getAsLong();
            brokerProblem = "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            brokerProblem = String.valueOf(e.getCause() == null ? e : e.getCause());
            LOG.debug("the broker did not answer the lag look-up", e);
        }
        registryWait.probe(() -> registry.latest(probeSubject));
    }

    private void waiting() throws Exception {
        long timeout = Math.max(1_000, every.toMillis() * 2);
        if (partitions == null) {
            List<TopicPartition> all = new ArrayList<>();
            for (TopicDescription topic : admin.describeTopics(typeByCommandsTopic.keySet()).allTopicNames()
                    .get(timeout, TimeUnit.MILLISECONDS).values()) {
                topic.partitions().forEach(p -> all.add(new TopicPartition(topic.name(), p.partition())));
            }
            partitions = all;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin
                .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.stream().filter(tp -> committed.get(tp) == null).forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                : admin.listOffsets(earliest).all().get(timeout, TimeUnit.MILLISECONDS);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            long from = at != null ? at.offset() : starts.get(tp).offset();
            long end = ends.get(tp).offset();
            metrics.partition(typeByCommandsTopic.get(tp.topic()), tp.partition()).waiting(Math.max(0, end - from));
        }
    }

    /** Milliseconds since the broker last answered (since the watch started, if never). */
    public long brokerSilentMillis() {
        return Math.max(0, wallClock.getAsLong() - brokerAnsweredAt);
    }

    /** Milliseconds since the registry's calls (the probe's and the records') began to fail; 0 while it answers. */
    public long registrySilentMillis() {
        return registryWait.health().status() instanceof DependencyStatus.Waiting waiting
                ? Math.max(0, wallClock.getAsLong() - waiting.since().toEpochMilli()) : 0;
    }

    public String brokerProblem() {
        return brokerProblem;
    }

    public String registryProblem() {
        return registryWait.health().status() instanceof DependencyStatus.Waiting waiting ? waiting.reason() : "";
    }

    /** Stops looking and closes the admin client. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
