package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FailoverBenchTest {

    @Test
    void workersKeepTheirStateWhereTheBenchmarkDeletesIt() {
        // BenchCommand.deleteData removes each failover run's "state" folder before and after a run: a
        // worker of the same name must never restore a state built against an earlier run's broker.
        Path run = Path.of("work", "failover", "fail0");
        assertThat(FailoverBench.workerState(run, 0)).startsWithRaw(run.resolve("state"));
        assertThat(FailoverBench.workerState(run, 1)).isNotEqualTo(FailoverBench.workerState(run, 0));
    }
}
