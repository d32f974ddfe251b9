package foldstream.ops.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Counters;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker against a real broker and the project's registry server decides a command and writes
 * its event and result under exactly-once, and answers over HTTP.
 *
 * <p>The counters run under a stream name of their own: other tests on the shared broker run the
 * example types, and an application that starts on topics where another one decided commands decides
 * them again (so its events would follow those of the other one, from version 1 again).
 */
@ExtendWith(SharedKafkaBroker.class)
class FoldstreamWorkerTest {

    private static final String TYPE = "fwt_counters";

    @Test
    void decidesACommandFromKafkaAndClosesCleanly(KafkaBroker broker, @TempDir Path state) throws Exception {
        try (SchemaRegistryServer server = new SchemaRegistryServer(RegistryServerSettings.of(broker.bootstrapServers()).withPort(0)).start();
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(server.url()))) {
            decidesACommand(broker, state, registry);
        }
    }

    private void decidesACommand(KafkaBroker broker, Path state, HttpSchemaRegistryClient registry) throws Exception {
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        WorkerSettings settings = WorkerSettings.of(broker.bootstrapServers())
                .withApplicationId("worker-test-" + UUID.randomUUID())
                .withStateDir(state)
                .withTypes(List.of(TYPE))
                .withPartitions(2)
                .withHttpPort(0)
                .withProperties(Map.of("commit.interval.ms", "50"));
        FoldstreamWorker worker = new FoldstreamWorker(settings, List.of(Counters.type().withName(TYPE)), registry);
        try {
            assertThat(worker.start().created()).contains(TYPE + "-commands", TYPE + "-events");
            assertThat(worker.awaitRunning(Duration.ofSeconds(60))).isTrue();

            String counter = "counter-" + UUID.randomUUID();
            String commandId = "cmd-" + UUID.randomUUID();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                Increment increment = new Increment(3);
                byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(TYPE + "-commands", increment.getSchema()), increment);
                ProducerRecord<String, byte[]> command = new ProducerRecord<>(TYPE + "-commands", counter, value);
                command.headers().add(ContractHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
                producer.send(command).get();
            }

            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(), "group.id", "reader-" + UUID.randomUUID(),
                    "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(TYPE + "-results", TYPE + "-events"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                    return seen.stream().filter(r -> counter.equals(r.key())).count() == 2;
                });
            }

            ConsumerRecord<String, byte[]> result = only(seen, TYPE + "-results", counter);
            CommandResult decided = codec.decode(result.value(), CommandResult.class);
            assertThat(decided.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(decided.getCommandId()).isEqualTo(commandId);
            assertThat(decided.getVersion()).isEqualTo(1L);
            assertThat(decided.getEventCount()).isEqualTo(1);
            ConsumerRecord<String, byte[]> event = only(seen, TYPE + "-events", counter);
            assertThat(codec.decode(event.value(), Incremented.class)).isEqualTo(new Incremented(3, 3L));
            assertThat(ContractHeaders.text(event.headers(), ContractHeaders.AGGREGATE_VERSION)).isEqualTo("1");
            assertThat(ContractHeaders.text(event.headers(), ContractHeaders.CAUSATION_ID)).isEqualTo(commandId);

            // The same aggregate over the worker's HTTP API: its state, then one more command.
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + worker.httpPort() + "/aggregates/" + TYPE + "/" + counter;
            HttpResponse<String> state1 = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(state1.statusCode()).isEqualTo(200);
            assertThat(state1.body()).contains("\"version\":1").contains("\"state\":{\"value\":3}")
                    .contains("\"lastCommandId\":\"" + commandId + "\"");
            HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(base + "/commands/Increment"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"by\": 4}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
            assertThat(sent.body()).contains("\"outcome\":\"ACCEPTED\"").contains("\"version\":2");
            HttpResponse<String> state2 = http.send(HttpRequest.newBuilder(URI.create(base + "?minVersion=2&waitMs=5000")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(state2.body()).contains("\"version\":2").contains("{\"value\":7}");
        } finally {
            assertThat(worker.close(Duration.ofSeconds(30))).as("closed within the timeout").isTrue();
        }
        assertThat(worker.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    private static ConsumerRecord<String, byte[]> only(List<ConsumerRecord<String, byte[]>> records, String topic, String key) {
        List<ConsumerRecord<String, byte[]>> matching = records.stream()
                .filter(r -> r.topic().equals(topic) && key.equals(r.key())).toList();
        assertThat(matching).as(topic).hasSize(1);
        return matching.get(0);
    }
}
