package foldstream.worker.runtime;

import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * How many times the current stream thread has committed: Kafka Streams' thread-level metric
 * {@code commit-total} (group {@code stream-thread-metrics}), which it records after a commit
 * succeeded. Processors cannot see commits otherwise.
 */
final class ThreadCommits {

    private ThreadCommits() {
    }

    /**
     * The counter of the stream thread that first asks (processing runs on one thread per task at a
     * time, and a task that moves threads is initialized again); a constant 0 when there is none
     * (TopologyTestDriver).
     */
    static LongSupplier of(StreamsMetrics metrics) {
        return new LongSupplier() {
            private LongSupplier resolved;

            @Override
            public long getAsLong() {
                if (resolved == null) {
                    resolved = lookUp(metrics, Thread.currentThread().getName());
                }
                return resolved.getAsLong();
            }
        };
    }

    private static LongSupplier lookUp(StreamsMetrics metrics, String thread) {
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if ("commit-total".equals(name.name()) && "stream-thread-metrics".equals(name.group())
                    && thread.equals(name.tags().get("thread-id"))) {
                Metric metric = entry.getValue();
                return () -> ((Number) metric.metricValue()).longValue();
            }
        }
        return () -> 0L;
    }
}
