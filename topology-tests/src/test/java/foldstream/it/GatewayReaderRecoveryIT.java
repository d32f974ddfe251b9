package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.ops.stack.KafkaBroker;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.examples.Counters;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's result reader survives a broker restart: asleep after idling, it is woken by a call
 * while the broker is away, its consumer fails (a timeout on {@code position()}), and once the broker
 * is back the reader recovers by itself and the waiting call gets its result. Its own broker (the
 * shared one cannot restart), the shared registry server, a worker in this JVM.
 */
@ExtendWith(KafkaStack.class)
class GatewayReaderRecoveryIT {

    @Test
    void theResultReaderRecoversAfterTheBrokerWasAwayWhenACallWokeIt(KafkaStack.Endpoints shared, @TempDir Path dir) throws Exception {
        String run = "gw-restart-" + Long.toString(System.nanoTime(), 36);
        KafkaBroker.Settings settings = new KafkaBroker.Settings("127.0.0.1", WorkerProcess.freePort(), WorkerProcess.freePort(),
                dir.resolve("broker"), Map.of());
        KafkaBroker broker = new KafkaBroker(settings);
        broker.start();
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(shared.registryUrl()));
             FoldstreamWorker worker = FacadeHttp.startWorker(new KafkaStack.Endpoints(broker.bootstrapServers(), shared.registryUrl()),
                     run, List.of(Counters.type()), 1, dir.resolve("state"), registry);
             CommandGateway gateway = new CommandGateway(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(),
                     // Short client timeouts, so that the reader meets a failure well within the outage.
                     "default.api.timeout.ms", 2_000, "request.timeout.ms", 1_500), new AvroWireCodec(registry, true),
                     List.of(Counters.type().name()))) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90))).isTrue();
            assertThat(gateway.send("ex_counters", run, new Increment(1)).get(60, TimeUnit.SECONDS).getOutcome()).isEqualTo(Outcome.ACCEPTED);
            await("the reader sleeps after idling").atMost(Duration.ofSeconds(60)).until(() -> !gateway.isReading());

            broker.close();
            CompletableFuture<CommandResult> during = CompletableFuture.supplyAsync(() -> gateway.send("ex_counters", run, new Increment(1),
                    SendOptions.defaults().withTimeout(Duration.ofMinutes(3)))).thenCompose(call -> call);
            // Longer than the reader's client timeout: its wake-up (seek to the end, position) fails meanwhile.
            await("the call waits while the broker is away").during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30))
                    .until(() -> !during.isDone());
            broker = new KafkaBroker(settings);
            broker.start();

            CommandResult result = during.get(3, TimeUnit.MINUTES);
            assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(result.getVersion()).isEqualTo(2);
            assertThat(gateway.send("ex_counters", run, new Increment(1)).get(60, TimeUnit.SECONDS).getVersion())
                    .as("and the next call too").isEqualTo(3);
        } finally {
            broker.close();
        }
    }
}
