package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.AGGREGATE_VERSION;
import static foldstream.worker.runtime.ContractHeaders.CAUSATION_ID;
import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.EVENT_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.Accounts;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** gen_aggregate's three storage modes decide alike; they differ only in what they keep. */
class StorageModesTest {

    /** What one run left behind. */
    record Run(List<String> results, List<String> events, Map<String, String> states, List<TestRecord<byte[], byte[]>> stateTopic) {
    }

    private static Run run(StorageMode mode, long seed) {
        AggregateType<AccountState> type = Accounts.type().withStorageMode(mode);
        try (Worker worker = new Worker(List.of(type))) {
            Random random = new Random(seed);
            List<String> sentIds = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String id = "acc-" + random.nextInt(30);
                SpecificRecord command = switch (random.nextInt(5)) {
                    case 0 -> new OpenAccount("owner-" + id);
                    case 1 -> new Withdraw((long) random.nextInt(40) - 5);
                    default -> new Deposit((long) random.nextInt(30) - 3);
                };
                String commandId = "cmd-" + i;
                if (!sentIds.isEmpty() && random.nextInt(10) == 0) {
                    // A duplicate of an earlier command (to its own aggregate: ids are per aggregate).
                    String earlier = sentIds.get(random.nextInt(sentIds.size()));
                    String[] parts = earlier.split(" ");
                    worker.send("ex_accounts", parts[0], command, COMMAND_ID, parts[1]);
                } else {
                    worker.send("ex_accounts", id, command, COMMAND_ID, commandId);
                    sentIds.add(id + " " + commandId);
                }
            }
            List<String> results = new ArrayList<>();
            worker.results("ex_accounts").forEach(r -> results.add(r.key() + " " + r.result()));
            List<String> events = new ArrayList<>();
            for (Worker.Event e : worker.events("ex_accounts")) {
                events.add(e.key() + " " + e.event() + " " + e.headers().get(EVENT_TYPE) + " v" + e.headers().get(AGGREGATE_VERSION)
                        + " by " + e.headers().get(CAUSATION_ID));
            }
            Map<String, String> states = new TreeMap<>();
            for (int a = 0; a < 30; a++) {
                Worker.Stored<AccountState> stored = worker.snapshot(type, "acc-" + a);
                if (stored != null) {
                    states.put("acc-" + a, stored.version() + " " + stored.state());
                }
            }
            return new Run(results, events, states, type.publishesState() ? worker.raw("ex_accounts-state") : List.of());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theThreeModesGiveTheSameResultsAndStates(long seed) {
        Run both = run(StorageMode.EVENTS_AND_SNAPSHOTS, seed);
        Run eventsOnly = run(StorageMode.EVENTS_ONLY, seed);
        Run snapshotsOnly = run(StorageMode.SNAPSHOTS_ONLY, seed);

        assertThat(both.results()).hasSize(500);
        assertThat(both.results()).anyMatch(r -> r.contains("REJECTED")).anyMatch(r -> r.contains("NOT_FOUND"))
                .anyMatch(r -> r.contains("ALREADY_EXISTS"));
        assertThat(eventsOnly.results()).isEqualTo(both.results());
        assertThat(snapshotsOnly.results()).isEqualTo(both.results());
        assertThat(eventsOnly.states()).isEqualTo(both.states()).isNotEmpty();
        assertThat(snapshotsOnly.states()).isEqualTo(both.states());
        assertThat(eventsOnly.events()).isEqualTo(both.events()).isNotEmpty();
        assertThat(snapshotsOnly.events()).isEmpty();
    }

    @Test
    void snapshotsOnlyPublishesEachNewStateWithItsVersion() {
        Run run = run(StorageMode.SNAPSHOTS_ONLY, 4);
        assertThat(run.stateTopic()).isNotEmpty();
        Map<String, Long> lastVersion = new TreeMap<>();
        for (TestRecord<byte[], byte[]> record : run.stateTopic()) {
            String id = new String(record.key(), StandardCharsets.UTF_8);
            long version = Long.parseLong(Worker.headers(record).get(AGGREGATE_VERSION));
            assertThat(version).isGreaterThan(lastVersion.getOrDefault(id, 0L));
            lastVersion.put(id, version);
        }
        run.states().forEach((id, state) -> assertThat(state).startsWith(lastVersion.get(id) + " "));
    }

    @Test
    void eventsOnlyRebuildsLostStateFromItsEventsAndContinuesWithTheRightVersions() {
        AggregateType<AccountState> type = Accounts.type().withStorageMode(StorageMode.EVENTS_ONLY);
        List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        try (Worker first = new Worker(List.of(type), ProcessingOptions.DEFAULTS, (config, topic, partition, each) -> { }, registry)) {
            first.send("ex_accounts", "a1", new OpenAccount("ann"));
            first.send("ex_accounts", "a1", new Deposit(30L));
            first.send("ex_accounts", "a2", new OpenAccount("bob"));
            first.send("ex_accounts", "a1", new Withdraw(10L));
            long offset = 0;
            for (TestRecord<byte[], byte[]> r : first.raw("ex_accounts-events")) {
                log.add(new ConsumerRecord<>("ex_accounts-events", 0, offset++, r.timestamp(), TimestampType.CREATE_TIME,
                        r.key().length, r.value().length, r.key(), r.value(), new RecordHeaders(r.headers().toArray()),
                        java.util.Optional.empty()));
            }
            assertThat(log).hasSize(4);
        }

        // A new worker with an empty state directory: it has only the events.
        try (Worker second = new Worker(List.of(type), ProcessingOptions.DEFAULTS, (config, topic, partition, each) -> {
            if (topic.equals("ex_accounts-results")) {
                return; // the answered commands are written back from it: empty here
            }
            assertThat(topic).isEqualTo("ex_accounts-events");
            log.forEach(each);
        }, registry)) {
            assertThat(second.snapshot(type, "a1")).as("rebuilt only once the wall clock ticks or a command comes").isNull();
            second.driver.advanceWallClockTime(java.time.Duration.ofMillis(10));
            // No command yet, and the states are back: what queries read.
            assertThat(second.snapshot(type, "a1").version()).isEqualTo(3);
            assertThat(second.snapshot(type, "a1").state()).isEqualTo(new AccountState("ann", 20L));
            assertThat(second.snapshot(type, "a2").version()).isEqualTo(1);

            second.send("ex_accounts", "a1", new Withdraw(25L));
            second.send("ex_accounts", "a1", new Deposit(5L));
            second.send("ex_accounts", "a2", new Deposit(7L));

            assertThat(second.results("ex_accounts")).extracting(r -> r.result().getOutcome() + "@" + r.result().getVersion())
                    .containsExactly(Outcome.REJECTED + "@3", Outcome.ACCEPTED + "@4", Outcome.ACCEPTED + "@2");
            assertThat(second.snapshot(type, "a1").state()).isEqualTo(new AccountState("ann", 25L));
            assertThat(second.events("ex_accounts")).extracting(Worker.Event::version).containsExactly(4L, 2L);
        }
    }
}
