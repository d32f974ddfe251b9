package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.ops.stack.KafkaBroker;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.examples.ExampleTypes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A worker started before its broker: with {@code --broker-wait forever} it keeps waiting (saying so
 * in its log, its HTTP port not yet listening) and runs once the broker comes; a broker that is up
 * and a registry that is not stop the start with status 1 naming the registry. (That no broker within
 * the wait exits with status 3 is WorkerMainTest's.) The waiting worker logs with {@code --log-format json},
 * as a log shipper reads it: one JSON object per line.
 */
@ExtendWith(KafkaStack.class)
class BrokerWaitIT {

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(BrokerWaitIT.class);

    @Test
    void aWorkerToldToWaitForeverWaitsForABrokerThatComesLaterAndThenRuns(KafkaStack.Endpoints shared) throws Exception {
        String run = "broker-wait-" + Long.toString(System.nanoTime(), 36);
        KafkaBroker.Settings settings = new KafkaBroker.Settings("127.0.0.1", WorkerProcess.freePort(), WorkerProcess.freePort(),
                workers.dir().resolve("broker"), Map.of());
        String bootstrap = "127.0.0.1:" + settings.port();
        WorkerProcess worker = workers.start(WorkerProcess.options(bootstrap, shared.registryUrl(), run, "worker")
                .types("ex_counters").partitions(1).flag("--broker-wait", "forever").flag("--log-format", "json"));

        await("the worker says it waits for the broker").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> worker.logTail(200).contains("waiting for a Kafka broker at " + bootstrap));
        assertThat(worker.isAlive()).as("still waiting, not exited").isTrue();
        String waiting = worker.logTail(200).lines().filter(line -> line.contains("waiting for a Kafka broker at ")).findFirst().orElseThrow();
        JsonNode line = FacadeHttp.parse(waiting);
        assertThat(line.get("level").asText()).as(waiting).isIn("INFO", "WARN");
        assertThat(line.get("loggerName").asText()).as(waiting).startsWith("foldstream.");
        assertThat(line.get("formattedMessage").asText()).as(waiting).contains("waiting for a Kafka broker at " + bootstrap);
        assertThat(line.get("timestamp").isNumber()).as(waiting).isTrue();

        try (KafkaBroker broker = new KafkaBroker(settings)) {
            broker.start();
            worker.awaitReady(Duration.ofSeconds(120));
            assertThat(worker.logTail(400)).contains("a Kafka broker answered at " + bootstrap);
            assertThat(worker.terminate(Duration.ofSeconds(60))).as("exit status after SIGTERM").isZero();
        }
    }

    @Test
    void aRegistryThatIsDownStopsTheStartWithStatus1NamingItsUrl(KafkaStack.Endpoints shared, @TempDir Path state) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        StringWriter err = new StringWriter();
        WorkerMain main = new WorkerMain(Map.of(), RegistryClientFactory.http(), ExampleTypes.all());

        int status = new CommandLine(main).setErr(new PrintWriter(err, true)).execute("--bootstrap-servers", shared.bootstrapServers(),
                "--schema-registry-url", url, "--state-dir", state.toString(), "--types", "ex_counters");

        assertThat(status).isEqualTo(WorkerMain.EXIT_FAILED);
        assertThat(err.toString()).contains(url);
    }
}
