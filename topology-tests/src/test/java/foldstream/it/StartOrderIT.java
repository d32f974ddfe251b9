package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.OpenAccount;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.InvalidSettingException;
import foldstream.worker.app.WorkerSetting;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker joins its group before its HTTP API listens (README, "Choices", start-up order). A start
 * that fails after the join, on an HTTP port already taken, still stops with the port named, and
 * leaves nothing behind that holds the partitions: the next instance of the same application takes
 * them all and answers commands.
 */
@ExtendWith(KafkaStack.class)
class StartOrderIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aTakenHttpPortStopsTheStartAndTheNextInstanceTakesEveryPartition(KafkaStack.Endpoints stack, @TempDir Path state)
            throws Exception {
        String application = "it-start-order-" + UUID.randomUUID();
        AggregateType<AccountState> accounts = Accounts.type().withName("it_start_order");
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            WorkerSettings settings = WorkerSettings.of(stack.bootstrapServers()).withApplicationId(application)
                    .withPartitions(3).withProperties(Map.of("commit.interval.ms", "50"));
            try (FoldstreamWorker refused = new FoldstreamWorker(settings.withStateDir(state.resolve("first"))
                    .withHttpPort(taken.getLocalPort()), List.of(accounts), registry)) {
                assertThatThrownBy(refused::start)
                        .isInstanceOfSatisfying(InvalidSettingException.class,
                                e -> assertThat(e.setting()).isEqualTo(WorkerSetting.HTTP_PORT))
                        .hasMessageContaining(Integer.toString(taken.getLocalPort()));
            }
            try (FoldstreamWorker next = new FoldstreamWorker(settings.withStateDir(state.resolve("next")).withHttpPort(0),
                    List.of(accounts), registry, ProcessingOptions.DEFAULTS, Clock.systemUTC())) {
                next.start();
                await().atMost(WAIT).until(() -> next.state() == KafkaStreams.State.RUNNING
                        && next.streams().metadataForLocalThreads().stream()
                        .mapToInt(thread -> thread.activeTasks().size()).sum() == 3);
                try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()),
                        new AvroWireCodec(registry, true), List.of(accounts.name()))) {
                    for (int i = 0; i < 6; i++) {
                        CommandResult result = gateway.send(accounts.name(), "a" + i, new OpenAccount("owner-" + i))
                                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
                    }
                }
            }
        }
    }
}
