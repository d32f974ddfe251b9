package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.AGGREGATE_TYPE;
import static foldstream.worker.runtime.ContractHeaders.AGGREGATE_VERSION;
import static foldstream.worker.runtime.ContractHeaders.CAUSATION_ID;
import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.CORRELATION_ID;
import static foldstream.worker.runtime.ContractHeaders.EVENT_ID;
import static foldstream.worker.runtime.ContractHeaders.EVENT_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.users.RegisterUser;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.observe.TraceHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header contract on events and results, and contiguous versions per aggregate. */
class HeadersAndVersionsTest {

    private final Worker worker = new Worker(ExampleTypes.all());

    @AfterEach
    void close() {
        worker.close();
    }

    @Test
    void eventsCarryExactlyTheContractHeaders() {
        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabel"),
                COMMAND_ID, "cmd-1", CORRELATION_ID, "flow-9");

        List<Worker.Event> events = worker.events("ex_users");
        assertThat(events).hasSize(2);
        for (int i = 0; i < 2; i++) {
            Map<String, String> h = events.get(i).headers();
            assertThat(h.keySet()).containsExactlyInAnyOrder(COMMAND_ID, CORRELATION_ID, CAUSATION_ID,
                    AGGREGATE_VERSION, EVENT_ID, EVENT_TYPE, AGGREGATE_TYPE, TraceHeaders.TRACEPARENT);
            assertThat(h.get(COMMAND_ID)).isEqualTo("cmd-1");
            assertThat(h.get(CORRELATION_ID)).isEqualTo("flow-9");
            assertThat(h.get(CAUSATION_ID)).isEqualTo("cmd-1");
            assertThat(h.get(AGGREGATE_VERSION)).isEqualTo(Integer.toString(i + 1));
            assertThat(h.get(AGGREGATE_TYPE)).isEqualTo("ex_users");
            assertThat(events.get(i).key()).isEqualTo("u1");
        }
        assertThat(events.get(0).headers().get(EVENT_TYPE)).isEqualTo("foldstream.examples.users.UserCreated");
        assertThat(events.get(1).headers().get(EVENT_TYPE)).isEqualTo("foldstream.examples.users.ProfileSet");
        assertThat(events.get(0).headers().get(EVENT_ID)).isNotEqualTo(events.get(1).headers().get(EVENT_ID));

        Worker.Result result = worker.results("ex_users").get(0);
        assertThat(result.key()).isEqualTo("u1");
        assertThat(result.headers()).containsOnlyKeys(COMMAND_ID, CORRELATION_ID, CAUSATION_ID, TraceHeaders.TRACEPARENT)
                .containsEntry(COMMAND_ID, "cmd-1").containsEntry(CORRELATION_ID, "flow-9").containsEntry(CAUSATION_ID, "cmd-1");
    }

    @Test
    void commandWithoutIdsGetsTopicPartitionOffsetAndCorrelatesToItself() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Deposit(5L));

        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results).extracting(r -> r.result().getCommandId())
                .containsExactly("ex_accounts-commands/0/0", "ex_accounts-commands/0/1");
        assertThat(results.get(1).headers()).containsEntry(CORRELATION_ID, "ex_accounts-commands/0/1");
        assertThat(worker.events("ex_accounts")).extracting(e -> e.headers().get(CAUSATION_ID))
                .containsExactly("ex_accounts-commands/0/0", "ex_accounts-commands/0/1");
    }

    @Test
    void versionsAreContiguousFromOnePerAggregateAcrossManyCommandsOnOnePartition() {
        Random random = new Random(42);
        Map<String, Long> balances = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            String id = "acc-" + random.nextInt(12);
            if (!balances.containsKey(id)) {
                worker.send("ex_accounts", id, new OpenAccount("owner " + id));
                balances.put(id, 0L);
            } else if (random.nextInt(3) == 0) {
                worker.send("ex_accounts", id, new Withdraw(1L + random.nextInt(60)));
            } else {
                worker.send("ex_accounts", id, new Deposit(1L + random.nextInt(50)));
            }
        }

        List<Worker.Event> events = worker.events("ex_accounts");
        Map<String, List<Long>> versions = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        for (Worker.Event event : events) {
            versions.computeIfAbsent(event.key(), k -> new ArrayList<>()).add(event.version());
            assertThat(eventIds.add(event.headers().get(EVENT_ID))).as("event ids are unique").isTrue();
        }
        assertThat(versions).hasSize(12);
        versions.forEach((id, list) -> {
            for (int i = 0; i < list.size(); i++) {
                assertThat(list.get(i)).as("version %d of %s", i + 1, id).isEqualTo(i + 1L);
            }
            assertThat(worker.snapshot(Accounts.type(), id).version()).isEqualTo(list.size());
        });

        // Every accepted result's version is the version of its last event; refusals report the current one.
        Map<String, Long> seen = new HashMap<>();
        for (Worker.Result r : worker.results("ex_accounts")) {
            long before = seen.getOrDefault(r.key(), 0L);
            long expected = r.result().getOutcome() == Outcome.ACCEPTED ? before + 1 : before;
            assertThat(r.result().getVersion()).isEqualTo(expected);
            seen.put(r.key(), expected);
        }
    }

    @Test
    void snapshotEqualsTheFoldOfItsEventsWithMeta() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open");
        worker.clock.advance(java.time.Duration.ofMinutes(3));
        worker.send("ex_accounts", "a1", new Deposit(40L), COMMAND_ID, "dep");
        worker.send("ex_accounts", "a1", new Withdraw(15L), COMMAND_ID, "wd");

        Accounts accounts = new Accounts();
        var state = accounts.initialState();
        for (Worker.Event e : worker.events("ex_accounts")) {
            state = accounts.evolve(state, e.event());
        }
        Worker.Stored<foldstream.examples.accounts.AccountState> stored = worker.snapshot(Accounts.type(), "a1");
        assertThat(stored.state()).isEqualTo(state);
        assertThat(stored.state().getBalance()).isEqualTo(25L);
        assertThat(stored.version()).isEqualTo(3);
        assertThat(stored.snapshot().getMeta().getCreatedAt()).isEqualTo(Worker.START);
        assertThat(stored.snapshot().getMeta().getUpdatedAt()).isEqualTo(Worker.START.plusSeconds(180));
        assertThat(stored.snapshot().getMeta().getLastCommandId()).isEqualTo("wd");
    }
}
