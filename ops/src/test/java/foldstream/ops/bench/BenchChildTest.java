package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.app.WorkerSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchChildTest {

    private static final Path STATE = Path.of("state");

    @Test
    void aComparedThreadCountBecomesTheWorkersThreadsAndTheOtherPropertiesPassThrough() {
        WorkerSettings settings = BenchChild.workerSettings("localhost:9092", "http://localhost:8081", "app-bench", STATE,
                Map.of("num.stream.threads", "2", "producer.linger.ms", "5"));

        assertThat(settings.threads()).isEqualTo(2);
        assertThat(settings.properties()).containsEntry("producer.linger.ms", "5").doesNotContainKey("num.stream.threads");
        assertThat(settings.applicationId()).isEqualTo("app-bench");
        assertThat(settings.stateDir()).isEqualTo(STATE);
    }

    @Test
    void withoutAComparedThreadCountTheWorkerKeepsItsDefault() {
        WorkerSettings settings = BenchChild.workerSettings("localhost:9092", "http://localhost:8081", "app-bench", STATE, Map.of());

        assertThat(settings.threads()).isEqualTo(WorkerSettings.DEFAULT_THREADS);
        assertThat(settings.properties()).isEmpty();
    }
}
