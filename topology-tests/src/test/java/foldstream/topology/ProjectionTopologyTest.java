package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.runtime.EmbeddedProjectionRunner;
import foldstream.worker.projection.runtime.Progress;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded projection runner's topology: each event applied once in aggregate order, duplicates
 * skipped, a gap stopping that aggregate with an error naming it, keys other than the aggregate id
 * (repartitioned), and the error policies.
 */
class ProjectionTopologyTest {

    record Count(long events, long lastVersion) {
    }

    private static final String DLQ = "counts-dlq";
    private static final String STATE = "counts-state";
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final ObjectMapper json = new ObjectMapper();
    private TopologyTestDriver driver;
    private long offset;

    private static EmbeddedProjection.Builder<Count> counts() {
        return EmbeddedProjection.builder("counts", Count.class, new Count(0, 0))
                .follows("ex_accounts")
                .on(AccountOpened.class, (count, opened, meta) -> new Count(count.events() + 1, meta.version()));
    }

    private TestInputTopic<byte[], byte[]> start(EmbeddedProjection<?> projection, String stream) {
        Properties props = new Properties();
        props.putAll(StreamsSettings.defaults("projection-test", "unused:9092"));
        driver = new TopologyTestDriver(EmbeddedProjectionRunner.topology(projection, codec, EventUpcaster.NONE, DLQ, STATE), props);
        return driver.createInputTopic(stream + "-events", new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void event(TestInputTopic<byte[], byte[]> topic, String type, String id, long version, SpecificRecord event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version));
        headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8(type));
        headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(event.getSchema().getFullName()));
        headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8("c" + offset));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(type + "-events", event.getSchema()), event);
        topic.pipeInput(new TestRecord<>(ContractHeaders.utf8(id), value, headers, Instant.ofEpochSecond(1_000 + offset++)));
    }

    private <T> T state(String key, Class<T> type) throws Exception {
        KeyValueStore<String, byte[]> states = driver.getKeyValueStore(EmbeddedProjectionRunner.STATES_STORE);
        byte[] bytes = states.get(key);
        return bytes == null ? null : json.readValue(bytes, type);
    }

    private Progress applied(String key, String type, String id) {
        KeyValueStore<String, byte[]> applied = driver.getKeyValueStore(EmbeddedProjectionRunner.APPLIED_STORE);
        return Progress.decode(applied.get(key + "\u0000" + type + "/" + id));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void eachEventIsAppliedOnceAndDuplicatesAreSkipped() throws Exception {
        var topic = start(counts().on(MoneyDeposited.class, (count, d, meta) -> new Count(count.events() + 1, meta.version())).build(),
                "ex_accounts");
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(5L, 5L));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(5L, 5L));   // a duplicate, as a retried transaction could leave
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a2", 1, new AccountOpened("bob"));
        event(topic, "ex_accounts", "a1", 3, new MoneyDeposited(1L, 6L));

        assertThat(state("a1", Count.class)).isEqualTo(new Count(3, 3));
        assertThat(state("a2", Count.class)).isEqualTo(new Count(1, 1));
        assertThat(applied("a1", "ex_accounts", "a1").version()).isEqualTo(3);
    }

    @Test
    void eventsWithoutAHandlerMoveTheVersionOnly() throws Exception {
        var topic = start(counts().build(), "ex_accounts");
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(5L, 5L));

        assertThat(state("a1", Count.class)).isEqualTo(new Count(1, 1));
        assertThat(applied("a1", "ex_accounts", "a1").version()).isEqualTo(2);
    }

    @Test
    void aGapStopsThatAggregateNamingItAndTheOthersGoOn() throws Exception {
        var topic = start(counts().on(MoneyDeposited.class, (count, d, meta) -> new Count(count.events() + 1, meta.version())).build(),
                "ex_accounts");
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 3, new MoneyDeposited(5L, 5L));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(5L, 5L));
        event(topic, "ex_accounts", "a2", 1, new AccountOpened("bob"));

        Progress a1 = applied("a1", "ex_accounts", "a1");
        assertThat(a1.stopped()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("ex_accounts 'a1'").contains("version 3 at ex_accounts-events/0/1").contains("version 2 is missing"));
        assertThat(state("a1", Count.class)).isEqualTo(new Count(1, 1));
        assertThat(state("a2", Count.class)).isEqualTo(new Count(1, 1));
    }

    @Test
    void aDeclaredKeyRepartitionsAndLaterEventsFollowTheirAggregatesKey() throws Exception {
        var topic = start(ExampleProjections.userDirectory(), "ex_users");
        event(topic, "ex_users", "u1", 1, new UserCreated("ann@example.com"));
        event(topic, "ex_users", "u1", 2, new ProfileSet("Ann Smith"));
        event(topic, "ex_users", "u2", 1, new UserCreated("ann@example.com"));

        var entry = state("ann@example.com", foldstream.worker.examples.UserEntry.class);
        assertThat(entry.userId()).isEqualTo("u1");
        assertThat(entry.name()).isEqualTo("Ann Smith");
        assertThat(entry.alsoClaimedBy()).containsExactly("u2");
        assertThat(applied("ann@example.com", "ex_users", "u1").version()).isEqualTo(2);
        assertThat(state("u1", foldstream.worker.examples.UserEntry.class)).isNull();
    }

    @Test
    void aPublishingProjectionWritesEveryNewStateToItsTopic() throws Exception {
        var topic = start(counts().publish().build(), "ex_accounts");
        TestOutputTopic<byte[], byte[]> states = driver.createOutputTopic(STATE, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a2", 1, new AccountOpened("bob"));

        var published = states.readRecordsToList();
        assertThat(published).extracting(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).containsExactly("a1", "a2");
        assertThat(json.readValue(published.get(0).value(), Count.class)).isEqualTo(new Count(1, 1));
    }

    @Test
    void aFailingHandlerStopsItsAggregateByDefaultNamingTheEvent() throws Exception {
        var topic = start(counts().on(MoneyDeposited.class, (count, d, meta) -> {
            throw new IllegalStateException("boom");
        }).build(), "ex_accounts");
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(5L, 5L));
        event(topic, "ex_accounts", "a2", 1, new AccountOpened("bob"));

        assertThat(applied("a1", "ex_accounts", "a1").stopped()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("ex_accounts 'a1' version 2 (ex_accounts-events/0/1)").contains("boom"));
        assertThat(state("a2", Count.class)).isEqualTo(new Count(1, 1));
    }

    @Test
    void retryThenParkRetriesThenParksTheEventAndGoesOn() throws Exception {
        int[] calls = {0};
        var topic = start(counts().errorPolicy(ErrorPolicy.retryThenPark(2, Duration.ZERO))
                .on(MoneyDeposited.class, (count, d, meta) -> {
                    calls[0]++;
                    if (d.getAmount() == 13L) {
                        throw new IllegalStateException("unlucky");
                    }
                    return new Count(count.events() + 1, meta.version());
                }).build(), "ex_accounts");
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(13L, 13L));
        event(topic, "ex_accounts", "a1", 3, new MoneyDeposited(1L, 14L));
        for (int i = 0; i < 3; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));   // a retry per punctuation
        }

        assertThat(calls[0]).isEqualTo(3 + 1);
        assertThat(state("a1", Count.class)).isEqualTo(new Count(2, 3));
        var parked = dlq.readRecordsToList();
        assertThat(parked).hasSize(1);
        assertThat(ContractHeaders.text(parked.get(0).headers(), ContractHeaders.DLQ_ERROR)).contains("after 3 attempt(s)").contains("unlucky");
        assertThat(ContractHeaders.text(parked.get(0).headers(), ContractHeaders.DLQ_SOURCE)).isEqualTo("ex_accounts-events/0/1");
        assertThat(codec.decode(parked.get(0).value(), MoneyDeposited.class)).isEqualTo(new MoneyDeposited(13L, 13L));
    }

    @Test
    void aFailedEventWaitsInTheStoreWithItsCountAndTheRecordsBehindItKeepTheirOrder() throws Exception {
        int[] failures = {2};
        var topic = start(counts().errorPolicy(ErrorPolicy.retry(3, Duration.ofSeconds(10)))
                .on(MoneyDeposited.class, (count, d, meta) -> {
                    if (d.getAmount() == 13L && failures[0]-- > 0) {
                        throw new IllegalStateException("not yet");
                    }
                    return new Count(count.events() + 1, meta.version());
                }).build(), "ex_accounts");
        event(topic, "ex_accounts", "a1", 1, new AccountOpened("ann"));
        event(topic, "ex_accounts", "a1", 2, new MoneyDeposited(13L, 13L));   // fails twice, then succeeds
        event(topic, "ex_accounts", "a1", 3, new MoneyDeposited(1L, 14L));
        event(topic, "ex_accounts", "a2", 1, new AccountOpened("bob"));

        // The failed event and the records behind it wait in the store, under exactly-once, not on a sleeping thread.
        KeyValueStore<Long, byte[]> retries = driver.getKeyValueStore(EmbeddedProjectionRunner.RETRIES_STORE);
        int entries = 0;
        try (var all = retries.all()) {
            for (; all.hasNext(); all.next()) {
                entries++;
            }
        }
        assertThat(entries).as("three held records and the retry").isEqualTo(4);
        assertThat(state("a1", Count.class)).isEqualTo(new Count(1, 1));
        assertThat(state("a2", Count.class)).isNull();

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(failures[0]).as("not due before the backoff").isEqualTo(1);
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(failures[0]).as("the second attempt fails").isEqualTo(0);
        assertThat(state("a1", Count.class)).isEqualTo(new Count(1, 1));
        driver.advanceWallClockTime(Duration.ofSeconds(21));   // the backoff doubles

        assertThat(state("a1", Count.class)).isEqualTo(new Count(3, 3));
        assertThat(state("a2", Count.class)).isEqualTo(new Count(1, 1));
        assertThat(applied("a1", "ex_accounts", "a1").stopped()).isEmpty();
        try (var left = retries.all()) {
            assertThat(left.hasNext()).as("nothing held once the retry succeeded").isFalse();
        }
    }
}
