package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @Test
    void afterARunTheDataGoesAndTheLogsAndEverythingElseStay(@TempDir Path work) throws Exception {
        Files.createDirectories(work.resolve("broker/ex_accounts-commands-0"));
        Files.writeString(work.resolve("broker/ex_accounts-commands-0/00000000000000000000.log"), "records");
        Files.createDirectories(work.resolve("state/app-1/0_0"));
        Files.createDirectories(work.resolve("tmp"));
        Files.writeString(work.resolve("tmp/librocksdbjni1.so"), "library a killed worker left");
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/app-1.log"), "worker log");
        Files.createDirectories(work.resolve("failover/f0/state/worker-0/0_0")); // FailoverBench.workerState
        Files.createDirectories(work.resolve("failover/f0/broker"));
        Files.createDirectories(work.resolve("failover/f0/logs"));
        Files.writeString(work.resolve("notes.txt"), "the user's own file");

        BenchCommand.deleteData(work);

        try (var left = Files.list(work)) {
            assertThat(left).containsExactlyInAnyOrder(work.resolve("logs"), work.resolve("failover"), work.resolve("notes.txt"));
        }
        try (var left = Files.list(work.resolve("failover/f0"))) {
            assertThat(left).containsExactly(work.resolve("failover/f0/logs"));
        }
        assertThat(work.resolve("logs/app-1.log")).hasContent("worker log");
    }
}
