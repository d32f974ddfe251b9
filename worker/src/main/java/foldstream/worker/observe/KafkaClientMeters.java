package foldstream.worker.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' own metrics per client and per stream thread in a Micrometer registry, named as
 * Micrometer's {@code KafkaStreamsMetrics} names them ({@code kafka.<group without -metrics>.<name>},
 * {@code -} as {@code .}; Prometheus shows {@code kafka_stream_thread_process_rate}), tagged with the
 * metric's own tags and {@code kafka.version}. Names ending in {@code total} are counters, the rest
 * gauges; each reads the metric's current value when scraped.
 *
 * <p>Left out: the metrics per task, processor node, topic, partition, state store and record cache.
 * Micrometer's binder compares, whenever the set of Kafka metrics changes (start-up, the first
 * records of each topic, every rebalance), each Kafka metric with every meter of the same name, and
 * those groups have one metric per task or partition: with 20 aggregate types (120 tasks) its thread
 * took 43 % of the worker's CPU samples in a profile of the many-types benchmark, running without a
 * pause for the 22 s the commands were answered (docs/performance.md).
 * This binder looks each metric up by name instead, every {@link #EVERY}. The state-store gauges
 * would also read RocksDB through a store's native handle after Kafka Streams closed the store in a
 * rebalance, which crashed a worker's JVM once (SIGSEGV in {@code approximateNumUncommittedBytes});
 * Foldstream's own meters give the per-type, per-partition and store-size view.
 *
 * <pre>{@code
 * KafkaClientMeters meters = new KafkaClientMeters(streams::metrics, registry).start();
 * ...
 * meters.close();
 * }</pre>
 */
final class KafkaClientMeters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientMeters.class);
    /** How often new metrics are bound and vanished ones removed; Micrometer's binder takes 60 s. */
    static final Duration EVERY = Duration.ofSeconds(10);
    private static final Set<String> LEFT_OUT_GROUPS = Set.of("stream-task-metrics", "stream-processor-node-metrics",
            "stream-topic-metrics", "stream-state-metrics", "stream-record-cache-metrics", "app-info", "kafka-metrics-count");

    private final Supplier<Map<MetricName, ? extends Metric>> source;
    private final MeterRegistry registry;
    private final AtomicReference<Map<MetricName, ? extends Metric>> current = new AtomicReference<>(Map.of());
    private final Map<MetricName, Meter> bound = new HashMap<>();
    /** From the clients' {@code app-info} metrics, as Micrometer takes it. */
    private String kafkaVersion = "unknown";
    private ScheduledExecutorService every;

    /** @param source the metrics of the clients, e.g. {@code streams::metrics} */
    KafkaClientMeters(Supplier<Map<MetricName, ? extends Metric>> source, MeterRegistry registry) {
        this.source = source;
        this.registry = registry;
    }

    /** Binds what is there now, then checks every {@link #EVERY} on a daemon thread of its own. */
    synchronized KafkaClientMeters start() {
        refresh();
        every = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "foldstream-kafka-meters");
            thread.setDaemon(true);
            return thread;
        });
        every.scheduleWithFixedDelay(this::refreshQuietly, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether a metric is shown: per client or per stream thread, not per task, node, topic, partition, store or cache. */
    static boolean shown(MetricName name) {
        return !LEFT_OUT_GROUPS.contains(name.group()) && !name.tags().containsKey("topic") && !name.tags().containsKey("partition");
    }

    /** One pass: binds the metrics that appeared, removes the meters of those that are gone. Linear in the metrics. */
    synchronized void refresh() {
        Map<MetricName, ? extends Metric> metrics = source.get();
        current.set(metrics);
        if (kafkaVersion.equals("unknown")) {
            kafkaVersion = versionIn(metrics);
        }
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            if (!bound.containsKey(name) && shown(name) && entry.getValue().metricValue() instanceof Number) {
                Meter meter = bind(name);
                if (meter != null) {
                    bound.put(name, meter);
                }
            }
        }
        for (Iterator<Map.Entry<MetricName, Meter>> it = bound.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<MetricName, Meter> entry = it.next();
            if (!metrics.containsKey(entry.getKey())) {
                registry.remove(entry.getValue());
                it.remove();
            }
        }
    }

    private static String versionIn(Map<MetricName, ? extends Metric> metrics) {
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            if (entry.getKey().group().equals("app-info") && entry.getKey().name().equals("version")
                    && entry.getValue().metricValue() instanceof String version) {
                return version;
            }
        }
        return "unknown";
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("could not read Kafka's client metrics: {}", e.toString());
        }
    }

    private Meter bind(MetricName name) {
        String meterName = "kafka." + name.group().replace("-metrics", "").replace('-', '.') + "." + name.name().replace('-', '.');
        List<Tag> tags = new ArrayList<>(name.tags().size() + 1);
        name.tags().forEach((key, value) -> tags.add(Tag.of(key.replace('-', '.'), value)));
        tags.add(Tag.of("kafka.version", kafkaVersion));
        try {
            if (name.name().endsWith("total")) {
                return FunctionCounter.builder(meterName, this, meters -> meters.value(name)).tags(tags)
                        .description(name.description()).register(registry);
            }
            return Gauge.builder(meterName, this, meters -> meters.value(name)).tags(tags)
                    .description(name.description()).register(registry);
        } catch (IllegalArgumentException e) {
            // A name Prometheus already has with other tag keys: shown once, under the first keys.
            LOG.debug("Kafka metric {} not shown: {}", name, e.getMessage());
            return null;
        }
    }

    /** The metric's value now, NaN when it is gone or not a number. */
    private double value(MetricName name) {
        Metric metric = current.get().get(name);
        Object value = metric == null ? null : metric.metricValue();
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    @Override
    public synchronized void close() {
        if (every != null) {
            every.shutdownNow();
        }
        bound.values().forEach(registry::remove);
        bound.clear();
    }
}
