package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Kafka's client and thread metrics in the scrape, under Micrometer's names; the per-task, per-partition and store ones not. */
class KafkaClientMetersTest {

    private final Metrics kafka = new Metrics();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaClientMeters meters = new KafkaClientMeters(kafka::metrics, registry);

    @AfterEach
    void close() {
        meters.close();
        kafka.close();
    }

    private MetricName add(String group, String name, double value, String... tags) {
        MetricName metricName = kafka.metricName(name, group, "", tags);
        kafka.addMetric(metricName, (Measurable) (config, now) -> value);
        return metricName;
    }

    @Test
    void clientAndThreadMetricsAreShownUnderMicrometersNames() {
        add("stream-thread-metrics", "process-rate", 42.0, "thread-id", "t1");
        add("stream-thread-metrics", "commit-latency-avg", 7.0, "thread-id", "t1");
        add("consumer-fetch-manager-metrics", "records-lag-max", 3.0, "client-id", "c1");
        add("producer-metrics", "record-send-total", 9.0, "client-id", "p1");

        meters.refresh();
        String scrape = registry.scrape();

        assertThat(scrape).contains("kafka_stream_thread_process_rate{kafka_version=", "thread_id=\"t1\"} 42.0");
        assertThat(scrape).contains("kafka_stream_thread_commit_latency_avg{");
        assertThat(scrape).contains("kafka_consumer_fetch_manager_records_lag_max{client_id=\"c1\"");
        assertThat(scrape).contains("# TYPE kafka_producer_record_send_total counter", "kafka_producer_record_send_total{client_id=\"p1\"");
    }

    @Test
    void metricsPerTaskNodeTopicPartitionAndStoreAreLeftOutAndNeverRead() {
        AtomicInteger storeReads = new AtomicInteger();
        add("stream-task-metrics", "process-rate", 1.0, "thread-id", "t1", "task-id", "0_1");
        add("stream-processor-node-metrics", "process-rate", 1.0, "thread-id", "t1", "task-id", "0_1", "processor-node-id", "p");
        add("stream-topic-metrics", "records-consumed-total", 1.0, "thread-id", "t1", "task-id", "0_1", "topic", "t");
        add("consumer-fetch-manager-metrics", "records-lag", 1.0, "client-id", "c1", "topic", "t", "partition", "0");
        add("producer-topic-metrics", "record-send-rate", 1.0, "client-id", "p1", "topic", "t");
        kafka.addMetric(kafka.metricName("estimate-num-keys", "stream-state-metrics", "", "task-id", "0_1"),
                (Measurable) (config, now) -> storeReads.incrementAndGet());

        meters.refresh();
        String scrape = registry.scrape();

        assertThat(scrape).doesNotContain("kafka_stream_task", "kafka_stream_processor_node", "kafka_stream_topic",
                "kafka_consumer_fetch_manager_records_lag{", "kafka_producer_topic", "kafka_stream_state");
        // Reading a closed store's native handle crashed a JVM once: a store gauge is never read.
        assertThat(storeReads).hasValue(0);
    }

    @Test
    void metricsThatComeAndGoComeAndGoFromTheScrape() {
        MetricName lag = add("consumer-fetch-manager-metrics", "records-lag-max", 3.0, "client-id", "c1");
        meters.refresh();
        assertThat(registry.scrape()).contains("kafka_consumer_fetch_manager_records_lag_max{");

        kafka.removeMetric(lag);
        add("stream-thread-metrics", "process-rate", 5.0, "thread-id", "t2");
        meters.refresh();

        assertThat(registry.scrape()).doesNotContain("kafka_consumer_fetch_manager_records_lag_max")
                .contains("thread_id=\"t2\"} 5.0");
    }

    @Test
    void aMetricReplacedUnderTheSameNameIsReadFromItsNewSelf() {
        MetricName rate = add("stream-thread-metrics", "process-rate", 1.0, "thread-id", "t1");
        meters.refresh();
        kafka.removeMetric(rate);
        kafka.addMetric(rate, (Measurable) (config, now) -> 2.0);

        meters.refresh();

        assertThat(registry.scrape()).contains("thread_id=\"t1\"} 2.0");
        assertThat(Map.copyOf(kafka.metrics())).containsKey(rate);
    }
}
