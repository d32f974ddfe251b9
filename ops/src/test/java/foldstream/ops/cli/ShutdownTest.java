package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import foldstream.worker.app.WorkerMain;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM stops the worker and the stack cleanly, with exit status 0, as process supervisors expect. */
class ShutdownTest {

    /**
     * The worker program runs only the example types, whose topic names other tests on the shared
     * broker use (creating them with other partition counts, deciding commands on them): it gets a
     * broker of its own.
     */
    @Test
    void aWorkerProcessClosesCleanlyOnSigtermAndExits0(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(dir.resolve("broker")).withFreePorts())) {
            broker.start();
            workerClosesCleanlyOnSigterm(broker, dir);
        }
    }

    private static void workerClosesCleanlyOnSigterm(KafkaBroker broker, Path dir) throws Exception {
        try (SchemaRegistryServer registry = new SchemaRegistryServer(RegistryServerSettings.of(broker.bootstrapServers()).withPort(0)).start();
             ChildJvm worker = ChildJvm.start(dir, WorkerMain.class,
                "--bootstrap-servers", broker.bootstrapServers(), "--schema-registry-url", registry.url(), "--http-port", "0",
                "--application-id", "shutdown-test-" + UUID.randomUUID(), "--state-dir", dir.resolve("state").toString(),
                "--types", "ex_counters")) {
            worker.awaitOutput("REBALANCING -> RUNNING", Duration.ofSeconds(60));

            int status = worker.terminate(Duration.ofSeconds(40));

            assertThat(status).as(worker.output()).isEqualTo(0);
            assertThat(worker.output()).contains("PENDING_SHUTDOWN -> NOT_RUNNING").contains("closed");
        }
    }

    @Test
    void theStackStopsCleanlyOnSigtermAndExits0(@TempDir Path dir) throws Exception {
        int kafkaPort = freePort();
        int controllerPort = freePort();
        try (ChildJvm stack = ChildJvm.start(dir, FoldstreamCli.class, "stack", "--data-dir", dir.resolve("data").toString(),
                "--kafka-port", Integer.toString(kafkaPort), "--controller-port", Integer.toString(controllerPort))) {
            stack.awaitOutput("Ctrl-C or SIGTERM stops it.", Duration.ofSeconds(60));
            assertThat(stack.output()).contains("Kafka:            127.0.0.1:" + kafkaPort)
                    .contains("Schema registry:  http://127.0.0.1:");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafkaPort))) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
            }

            int status = stack.terminate(Duration.ofSeconds(40));

            assertThat(status).as(stack.output()).isEqualTo(0);
            assertThat(stack.output()).contains("Stack stopped.");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
