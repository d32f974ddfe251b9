package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class WorkerObservabilityTest {

    @Test
    void kafkaStreamsStateStoreGaugesStayOutOfTheScrapeAndTheOthersStayIn() {
        try (WorkerObservability observability = new WorkerObservability(HealthSettings.DEFAULTS, () -> KafkaStreams.State.RUNNING)) {
            AtomicInteger reads = new AtomicInteger();
            // Shaped as Micrometer's KafkaStreamsMetrics names them: kafka.<group minus -metrics>.<name>.
            Gauge.builder("kafka.stream.state.estimate.num.keys", reads, AtomicInteger::incrementAndGet).register(observability.registry());
            Gauge.builder("kafka.stream.thread.process.rate", () -> 1.0).register(observability.registry());

            String scrape = observability.registry().scrape();

            assertThat(scrape).doesNotContain("kafka_stream_state").contains("kafka_stream_thread_process_rate");
            assertThat(reads).as("a denied gauge is never read").hasValue(0);
        }
    }
}
