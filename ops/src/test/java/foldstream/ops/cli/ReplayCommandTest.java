package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaBroker;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code foldstream replay} against a running worker: checks the events, has every partition
 * rebuilt through {@code S-control} (its {@code ControlResult}s summed up), refuses a gap. On a broker of its own: the shared one's ex_counters topics are also
 * processed by other tests' workers under other application ids, each from its own empty state.
 */
class ReplayCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int replay(String bootstrap, String registryUrl) {
        CommandLine cli = FoldstreamCli.commandLine(Map.of(), RegistryWiring.current());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cli.execute("replay", "ex_counters", "--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl,
                "--timeout", "60");
    }

    @Test
    void replaysWithTheWorkersRunningAndRefusesAGap(@TempDir Path state, @TempDir Path data) throws Exception {
        try (KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(data).withFreePorts())) {
            broker.start();
            replaysAndRefuses(broker.bootstrapServers(), state);
        }
    }

    private void replaysAndRefuses(String bootstrap, Path state) throws Exception {
        try (SchemaRegistryServer server = new SchemaRegistryServer(RegistryServerSettings.of(bootstrap).withPort(0)).start();
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(server.url()));
             FoldstreamWorker worker = new FoldstreamWorker(WorkerSettings.of(bootstrap).withSchemaRegistryUrl(server.url())
                     .withApplicationId("replay-test-" + UUID.randomUUID()).withStateDir(state).withTypes(List.of("ex_counters"))
                     .withPartitions(2).withHttpPort(0).withProperties(Map.of("commit.interval.ms", "50")),
                     ExampleTypes.all(), registry)) {
            worker.start();
            assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            String prefix = "replayed-" + UUID.randomUUID() + "-";
            try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", bootstrap), codec, List.of("ex_counters"))) {
                List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    sent.add(gateway.send("ex_counters", prefix + (i % 5), new Increment(1)));
                }
                for (CompletableFuture<CommandResult> result : sent) {
                    assertThat(result.get(30, TimeUnit.SECONDS).getOutcome()).isEqualTo(Outcome.ACCEPTED);
                }
            }

            assertThat(replay(bootstrap, server.url())).as(err.toString()).isZero();
            assertThat(out.toString()).contains("no gaps").contains("ex_counters: replayed:")
                    .contains("5 aggregates rebuilt from 30 events on 2 partitions");

            // A forged event at version 2 of an aggregate that has no version 1.
            String broken = "gap-" + UUID.randomUUID();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(ContractHeaders.AGGREGATE_VERSION, "2".getBytes(StandardCharsets.UTF_8));
                Incremented event = new Incremented(1, 2L);
                byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("ex_counters-events", event.getSchema()), event);
                producer.send(new ProducerRecord<>("ex_counters-events", null, broken.getBytes(StandardCharsets.UTF_8), value, headers)).get();
            }
            assertThat(replay(bootstrap, server.url())).isEqualTo(1);
            assertThat(err.toString()).contains("refused").contains("'" + broken + "'")
                    .contains("version 2 where version 1 was expected");
        }
    }
}
