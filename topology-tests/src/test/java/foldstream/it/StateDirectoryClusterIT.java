package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Accounts;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker started with a state directory built against another Kafka cluster (here: a new local
 * broker, as after recreating a development stack) answers from the new cluster's state, not from
 * what its disk remembers. Without the check Kafka Streams resumes the old stores at their old
 * changelog offsets, which the new changelogs also have, so the aggregate's newer snapshot (written
 * before that offset) is never restored. In this test the old snapshot's schema ids name other
 * schemas in the new registry, so without the check the command to it is answered {@code FAILED}
 * (before stored snapshots that cannot be read were answered, it was skipped and never answered).
 */
class StateDirectoryClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String APPLICATION = "it-state-cluster";
    private static final AggregateType<AccountState> ACCOUNTS = Accounts.type().withName("it_state_cluster");

    @Test
    void aStateDirectoryFromAnotherClusterIsRebuiltFromThisOne(@TempDir Path dirs) throws Exception {
        Path remembered = dirs.resolve("state");
        try (KafkaStack.Running first = KafkaStack.Running.start()) {
            try (Session session = new Session(first.endpoints(), remembered)) {
                // Enough snapshots that the old changelog offset lies past the new cluster's writes of "a".
                for (String id : List.of("a", "c1", "c2", "c3", "c4")) {
                    session.expect(id, new OpenAccount("first-" + id), Outcome.ACCEPTED, 1);
                }
            }
        }
        try (KafkaStack.Running second = KafkaStack.Running.start()) {
            try (Session other = new Session(second.endpoints(), dirs.resolve("other-instance"))) {
                other.expect("a", new OpenAccount("second-a"), Outcome.ACCEPTED, 1);
                other.expect("a", new Deposit(5L), Outcome.ACCEPTED, 2);
                for (int i = 0; i < 8; i++) {
                    other.expect("b" + i, new OpenAccount("second-b" + i), Outcome.ACCEPTED, 1);
                }
            }
            try (Session back = new Session(second.endpoints(), remembered)) {
                // This cluster's "a" is at version 2; the remembered one was at 1.
                back.expect("a", new Deposit(1L), Outcome.ACCEPTED, 3);
                back.expect("c1", new Deposit(1L), Outcome.NOT_FOUND, 0);
            }
        }
    }

    /** One worker of the application, with a gateway, until closed. */
    private static final class Session implements AutoCloseable {
        private final HttpSchemaRegistryClient registry;
        private final FoldstreamWorker worker;
        private final CommandGateway gateway;

        Session(KafkaStack.Endpoints stack, Path stateDir) {
            this.registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
            this.worker = new FoldstreamWorker(WorkerSettings.of(stack.bootstrapServers()).withSchemaRegistryUrl(stack.registryUrl())
                    .withApplicationId(APPLICATION).withPartitions(1).withStateDir(stateDir).withHttpPort(0)
                    .withProperties(Map.of("commit.interval.ms", "50")), List.of(ACCOUNTS), registry);
            worker.start();
            await().atMost(WAIT).until(() -> worker.state() == KafkaStreams.State.RUNNING);
            this.gateway = new CommandGateway(Map.of("bootstrap.servers", stack.bootstrapServers()), new AvroWireCodec(registry, true),
                    List.of(ACCOUNTS.name()));
        }

        void expect(String id, SpecificRecord command, Outcome outcome, long version) throws Exception {
            CommandResult result = gateway.send(ACCOUNTS.name(), id, command).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(result.getOutcome()).as(id + ": " + result).isEqualTo(outcome);
            assertThat(result.getVersion()).as(id + ": " + result).isEqualTo(version);
        }

        @Override
        public void close() {
            try (registry; worker) {
                gateway.close();
            }
        }
    }
}
