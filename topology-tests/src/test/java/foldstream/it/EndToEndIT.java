package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.http.PlainJson;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegisteredSchema;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The wire contract end to end, as a client in another language sees it: commands produced with a
 * plain Kafka producer (values in the Confluent wire format, through the HTTP registry client,
 * without registering anything: the worker's start-up registered the subjects) to a worker running as
 * its own process; results, events and dead letters read back as raw records. Checks the bytes (magic
 * byte, a schema id the registry resolves to the record's schema under the contract's subject), every
 * header of docs/contract.md's table, each outcome, duplicates, and the dead-letter topic.
 */
@ExtendWith(KafkaStackPerClass.class)
class EndToEndIT {

    private static final String TYPE = "ex_users";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(EndToEndIT.class);

    private KafkaStack.Endpoints stack;
    private SchemaRegistryClient registry;
    private AvroWireCodec codec;
    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void connect(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        // Never registers: writing a command works only because the worker registered its subjects.
        codec = new AvroWireCodec(registry, false);
        producer = SteadyLoad.producer(stack.bootstrapServers());
    }

    @AfterEach
    void disconnect() {
        producer.close(Duration.ofSeconds(10));
        registry.close();
    }

    @Test
    void commandsInResultsAndEventsOutWithTheContractsBytesHeadersAndSubjects() throws Exception {
        String run = "e2e-" + Long.toString(System.nanoTime(), 36);
        WorkerProcess worker = workers.start(WorkerProcess.options(stack, run, "worker").types(TYPE).partitions(3))
                .awaitReady(Duration.ofSeconds(90));
        String ann = run + "-ann";
        String bob = run + "-bob";

        RecordMetadata registered = send(ann, run + "-c1", "journey-1", null, new RegisterUser("ann@example.org", "Ann Lovelace"));
        send(ann, run + "-c2", null, null, new UpdateProfile("Ann King"));
        send(ann, run + "-c3", null, "1", new UpdateProfile("Ann Byron"));
        send(ann, run + "-c4", null, null, new RegisterUser("ann@example.org", "Ann Again"));
        send(bob, run + "-c5", null, null, new UpdateProfile("Bob Builder"));
        send(ann, run + "-c6", null, null, new UpdateProfile("Al"));
        send(ann, run + "-c2", "retry-of-c2", null, new UpdateProfile("Ann King"));
        RecordMetadata badMagic = sendRaw(ann, run + "-c8", new byte[] {1, 0, 0, 0, 1, 2, 4});
        RecordMetadata unknownId = sendRaw(ann, run + "-c9", new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, 0x7f, 2});
        RecordMetadata anonymous = send(ann, null, null, "3", new UpdateProfile("Ann Queen"));
        String anonymousId = TOPICS.commands() + "/" + anonymous.partition() + "/" + anonymous.offset();

        List<ConsumerRecord<byte[], byte[]>> results = awaitRecords(TOPICS.results(), run, 10);
        List<ConsumerRecord<byte[], byte[]>> events = awaitRecords(TOPICS.events(), run, 4);
        List<ConsumerRecord<byte[], byte[]>> dead = awaitRecords(TOPICS.dlq(), run, 2);

        // ---- the subjects the worker registered, by the contract's naming strategies
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(TOPICS.commands() + "-foldstream.examples.users.RegisterUser", RegisterUser.getClassSchema());
        subjects.put(TOPICS.commands() + "-foldstream.examples.users.UpdateProfile", UpdateProfile.getClassSchema());
        subjects.put(TOPICS.events() + "-foldstream.examples.users.UserCreated", UserCreated.getClassSchema());
        subjects.put(TOPICS.events() + "-foldstream.examples.users.ProfileSet", ProfileSet.getClassSchema());
        subjects.put(TOPICS.results() + "-value", CommandResult.getClassSchema());
        subjects.put(TOPICS.state() + "-value", UserState.getClassSchema());
        subjects.forEach((subject, schema) -> assertThat(registry.latest(subject).schema()).as(subject).isEqualTo(schema));

        // ---- results: wire format, headers, outcomes
        RegisteredSchema resultSubject = registry.latest(TOPICS.results() + "-value");
        for (ConsumerRecord<byte[], byte[]> record : results) {
            assertWireFormat(record, CommandResult.getClassSchema(), resultSubject);
        }
        Map<String, ConsumerRecord<byte[], byte[]>> first = new LinkedHashMap<>();
        results.forEach(r -> first.putIfAbsent(header(r, ContractHeaders.COMMAND_ID), r));
        assertThat(first.keySet()).containsExactlyInAnyOrder(run + "-c1", run + "-c2", run + "-c3", run + "-c4", run + "-c5",
                run + "-c6", run + "-c8", run + "-c9", anonymousId);
        for (ConsumerRecord<byte[], byte[]> record : results) {
            String commandId = header(record, ContractHeaders.COMMAND_ID);
            assertThat(header(record, ContractHeaders.CAUSATION_ID)).as("causation-id of the result of " + commandId).isEqualTo(commandId);
            assertThat(codec.decode(record.value(), CommandResult.class).getCommandId()).isEqualTo(commandId);
        }
        assertThat(header(first.get(run + "-c1"), ContractHeaders.CORRELATION_ID)).isEqualTo("journey-1");
        assertThat(header(first.get(run + "-c2"), ContractHeaders.CORRELATION_ID)).as("defaults to the command id").isEqualTo(run + "-c2");

        assertResult(first.get(run + "-c1"), Outcome.ACCEPTED, 2, 2);
        assertResult(first.get(run + "-c2"), Outcome.ACCEPTED, 3, 1);
        CommandResult wrongVersion = assertResult(first.get(run + "-c3"), Outcome.WRONG_EXPECTED_VERSION, 3, 0);
        assertThat(wrongVersion.getMessage()).contains("1").contains("3");
        assertResult(first.get(run + "-c4"), Outcome.ALREADY_EXISTS, 3, 0);
        assertResult(first.get(run + "-c5"), Outcome.NOT_FOUND, 0, 0);
        CommandResult rejected = assertResult(first.get(run + "-c6"), Outcome.REJECTED, 3, 0);
        assertThat(rejected.getViolations()).extracting(FieldViolation::getField).containsExactly("name");
        assertResult(first.get(run + "-c8"), Outcome.MALFORMED, 3, 0);
        assertResult(first.get(run + "-c9"), Outcome.MALFORMED, 3, 0);
        assertResult(first.get(anonymousId), Outcome.ACCEPTED, 4, 1);

        List<ConsumerRecord<byte[], byte[]>> c2Results = results.stream()
                .filter(r -> header(r, ContractHeaders.COMMAND_ID).equals(run + "-c2")).toList();
        assertThat(c2Results).as("a duplicate gets the first result again").hasSize(2);
        assertThat(c2Results.get(1).value()).isEqualTo(c2Results.get(0).value());
        assertThat(header(c2Results.get(1), ContractHeaders.CORRELATION_ID)).isEqualTo("retry-of-c2");

        // ---- events: wire format under the topic-record-name subjects, every header
        assertThat(events).allSatisfy(e -> assertThat(ExactlyOnceChecks.key(e)).isEqualTo(ann));
        assertThat(events).extracting(ExactlyOnceChecks::version).as("aggregate-version, contiguous from 1").containsExactly(1L, 2L, 3L, 4L);
        assertThat(events).extracting(e -> header(e, ContractHeaders.COMMAND_ID))
                .containsExactly(run + "-c1", run + "-c1", run + "-c2", anonymousId);
        assertThat(events).extracting(e -> header(e, ContractHeaders.CAUSATION_ID))
                .containsExactly(run + "-c1", run + "-c1", run + "-c2", anonymousId);
        assertThat(events).extracting(e -> header(e, ContractHeaders.CORRELATION_ID))
                .containsExactly("journey-1", "journey-1", run + "-c2", anonymousId);
        assertThat(events).extracting(e -> header(e, ContractHeaders.EVENT_TYPE)).containsExactly(
                UserCreated.getClassSchema().getFullName(), ProfileSet.getClassSchema().getFullName(),
                ProfileSet.getClassSchema().getFullName(), ProfileSet.getClassSchema().getFullName());
        assertThat(events).extracting(e -> header(e, ContractHeaders.AGGREGATE_TYPE)).containsOnly(TYPE);
        Map<String, Schema> eventSchemas = Map.of(UserCreated.getClassSchema().getFullName(), UserCreated.getClassSchema(),
                ProfileSet.getClassSchema().getFullName(), ProfileSet.getClassSchema());
        Set<String> eventIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> event : events) {
            assertThat(eventIds.add(header(event, ContractHeaders.EVENT_ID))).as("event-id unique: " + header(event, ContractHeaders.EVENT_ID)).isTrue();
            String eventType = header(event, ContractHeaders.EVENT_TYPE);
            assertWireFormat(event, eventSchemas.get(eventType), registry.latest(TOPICS.events() + "-" + eventType));
        }
        assertThat(eventIds).doesNotContain("", null);
        assertThat(codec.decode(events.get(0).value(), UserCreated.class)).isEqualTo(new UserCreated("ann@example.org"));
        assertThat(codec.decode(events.get(3).value(), ProfileSet.class)).isEqualTo(new ProfileSet("Ann Queen"));

        // ---- dead letters: the raw record, its headers, why and where from
        assertThat(dead).hasSize(2);
        assertDeadLetter(dead.get(0), ann, run + "-c8", new byte[] {1, 0, 0, 0, 1, 2, 4}, badMagic, "magic byte");
        assertDeadLetter(dead.get(1), ann, run + "-c9", new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, 0x7f, 2}, unknownId, "schema id");

        // ---- the snapshot, through the worker's HTTP API
        AtomicReference<HttpResponse<String>> view = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    view.set(worker.get("/aggregates/" + TYPE + "/" + ann));
                    return view.get().statusCode() == 200;
                });
        JsonNode snapshot = JSON.readTree(view.get().body());
        assertThat(snapshot.path("type").asText()).isEqualTo(TYPE);
        assertThat(snapshot.path("id").asText()).isEqualTo(ann);
        assertThat(snapshot.path("version").asLong()).isEqualTo(4);
        assertThat(snapshot.path("state")).isEqualTo(PlainJson.write(new UserState("ann@example.org", "Ann Queen")));
        assertThat(snapshot.path("meta").path("lastCommandId").asText()).isEqualTo(anonymousId);
        assertThat(registered.partition()).as("one aggregate, one partition").isEqualTo(anonymous.partition());

        assertThat(worker.terminate(Duration.ofSeconds(60))).as("exit status after SIGTERM").isZero();
    }

    private RecordMetadata send(String aggregateId, String commandId, String correlationId, String expectedVersion,
                                SpecificRecord command) throws Exception {
        String subject = TOPICS.commands() + "-" + command.getSchema().getFullName();
        return sendRaw(aggregateId, commandId, correlationId, expectedVersion, codec.encode(subject, command));
    }

    private RecordMetadata sendRaw(String aggregateId, String commandId, byte[] value) throws Exception {
        return sendRaw(aggregateId, commandId, null, null, value);
    }

    private RecordMetadata sendRaw(String aggregateId, String commandId, String correlationId, String expectedVersion,
                                   byte[] value) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (commandId != null) {
            headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(commandId));
        }
        if (correlationId != null) {
            headers.add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8(correlationId));
        }
        if (expectedVersion != null) {
            headers.add(ContractHeaders.EXPECTED_VERSION, ContractHeaders.utf8(expectedVersion));
        }
        return producer.send(new ProducerRecord<>(TOPICS.commands(), null, aggregateId, value, headers)).get(30, TimeUnit.SECONDS);
    }

    /** Waits until the topic holds {@code count} committed records of this run's aggregates, and answers them in offset order. */
    private List<ConsumerRecord<byte[], byte[]>> awaitRecords(String topic, String run, int count) {
        AtomicReference<List<ConsumerRecord<byte[], byte[]>>> found = new AtomicReference<>(List.of());
        await(count + " records on " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            found.set(CommittedTopic.readAll(stack.bootstrapServers(), topic).stream()
                    .filter(r -> ExactlyOnceChecks.key(r).startsWith(run)).toList());
            return found.get().size() >= count;
        });
        assertThat(found.get()).as("records on " + topic).hasSize(count);
        return found.get();
    }

    /** Byte 0 is 0, bytes 1-4 a schema id that the registry resolves to the record's schema, the latest under its contract subject. */
    private void assertWireFormat(ConsumerRecord<byte[], byte[]> record, Schema expected, RegisteredSchema subject) {
        byte[] value = record.value();
        assertThat(value.length).isGreaterThan(5);
        assertThat(value[0]).as("magic byte").isZero();
        int id = schemaId(record);
        assertThat(registry.schemaById(id)).as("schema " + id + " of " + ExactlyOnceChecks.where(record)).isEqualTo(expected);
        assertThat(subject.id()).as("the id under subject " + subject.subject()).isEqualTo(id);
    }

    private static int schemaId(ConsumerRecord<byte[], byte[]> record) {
        return ByteBuffer.wrap(record.value(), 1, 4).getInt();
    }

    private CommandResult assertResult(ConsumerRecord<byte[], byte[]> record, Outcome outcome, long version, int eventCount) {
        CommandResult result = codec.decode(record.value(), CommandResult.class);
        assertThat(result.getOutcome()).as("outcome of " + result.getCommandId() + ": " + result.getMessage()).isEqualTo(outcome);
        assertThat(result.getVersion()).as("version after " + result.getCommandId()).isEqualTo(version);
        assertThat(result.getEventCount()).as("events of " + result.getCommandId()).isEqualTo(eventCount);
        assertThat(result.getAggregateType()).isEqualTo(TYPE);
        assertThat(result.getAggregateId()).isEqualTo(ExactlyOnceChecks.key(record));
        return result;
    }

    private static void assertDeadLetter(ConsumerRecord<byte[], byte[]> dead, String key, String commandId, byte[] value,
                                         RecordMetadata source, String reason) {
        assertThat(ExactlyOnceChecks.key(dead)).isEqualTo(key);
        assertThat(dead.value()).as("the raw bytes as received").isEqualTo(value);
        assertThat(header(dead, ContractHeaders.COMMAND_ID)).as("the original headers are kept").isEqualTo(commandId);
        assertThat(header(dead, ContractHeaders.DLQ_SOURCE)).isEqualTo(TOPICS.commands() + "/" + source.partition() + "/" + source.offset());
        assertThat(header(dead, ContractHeaders.DLQ_ERROR)).contains(reason);
        assertThat(Arrays.equals(dead.key(), key.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return ExactlyOnceChecks.header(record, name);
    }
}
