package foldstream.worker.observe;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.RebuildBoard;
import foldstream.worker.serialization.AvroWireCodec;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything a worker instance shows about itself, made once per worker and handed down: the
 * Prometheus registry with Foldstream's, Kafka Streams' and the JVM's meters, the per-partition
 * activity, the health checks and the endpoints that serve them. {@code FoldstreamWorker} creates it
 * and calls it from its state listener and uncaught-exception handler.
 *
 * <pre>{@code
 * WorkerObservability observability = new WorkerObservability(HealthSettings.DEFAULTS, worker::state);
 * Topology topology = FoldstreamTopology.build(types, codec, options, clock, eventLog, observability.metrics());
 * observability.watch(streams, adminConfig, applicationId, types, codec);   // before streams.start()
 * streams.start();
 * observability.bindJvmMeters();                                          // while the group forms
 * }</pre>
 */
public final class WorkerObservability implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WorkerMetrics metrics = new WorkerMetrics(registry, System::currentTimeMillis);
    private final RebuildBoard rebuilds = RebuildMeters.board(registry);
    private final StreamThreadFailures failures = new StreamThreadFailures(System::currentTimeMillis);
    private final WorkerHealth health;
    private final ObservabilityEndpoints endpoints;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaClientMeters streamsMetrics;
    private ClusterWatch watch;

    public WorkerObservability(HealthSettings settings, Supplier<KafkaStreams.State> state) {
        this.health = new WorkerHealth(settings, state, metrics, failures);
        this.endpoints = new ObservabilityEndpoints(registry, health);
    }

    /**
     * Binds the JVM's and the process's meters (memory, collections, threads, classes, CPU, uptime).
     * Separate from the constructor so that a worker binds them while Kafka Streams joins its group:
     * they take a tenth of a second or more of a start's critical path otherwise (docs/performance.md).
     */
    public void bindJvmMeters() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The rebuilds of this instance's tasks, with their gauges in {@link #registry}. */
    public RebuildBoard rebuilds() {
        return rebuilds;
    }

    public WorkerHealth health() {
        return health;
    }

    public ObservabilityEndpoints endpoints() {
        return endpoints;
    }

    public void stateChanged(KafkaStreams.State now) {
        health.stateChanged(now);
    }

    public void threadFailed(Throwable error) {
        failures.failed(error);
    }

    /**
     * Binds Kafka Streams' own metrics and its restore progress, and starts watching the broker (the
     * commands waiting per partition) and the registry. Call before {@code streams.start()}.
     *
     * @param streams the aggregates' application, or null for a worker of no aggregate types (the
     *     broker and the registry are watched all the same)
     */
    public synchronized void watch(KafkaStreams streams, Map<String, Object> adminConfig, String applicationId,
                                   List<? extends AggregateType<?>> types, AvroWireCodec codec) {
        if (streams != null) {
            streams.setGlobalStateRestoreListener(new RestoreProgress(registry));
            streamsMetrics = new KafkaClientMeters(streams::metrics, registry).start();
        }
        Map<String, String> typeByTopic = new LinkedHashMap<>();
        types.forEach(type -> typeByTopic.put(AggregateTopics.of(type.name()).commands(), type.name()));
        String probe = types.isEmpty() ? "foldstream-probe" : AggregateTopics.of(types.get(0).name()).results() + "-value";
        long shortest = Math.min(health.settings().stallTimeout().toMillis(), health.settings().unreachableTimeout().toMillis());
        Duration every = Duration.ofMillis(Math.max(200, Math.min(5_000, shortest / 3)));
        watch = new ClusterWatch(Admin.create(adminConfig), applicationId, typeByTopic, codec.registry(), codec.registryWait(), probe, metrics, every,
                System::currentTimeMillis).start();
        health.watching(watch);
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        gc.close();
    }
}
