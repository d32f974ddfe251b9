package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.Accounts;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.http.PlainJson;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker process killed with SIGKILL in the middle of a load: two instances share the six
 * partitions of {@code ex_accounts} while thousands of commands over hundreds of accounts arrive;
 * one is killed (kill -9, whatever it had in flight), the survivor takes over all partitions, then
 * the killed one is started again on the state directory it left behind and takes its share back.
 * About one send in twenty is a retry of an earlier command. Afterwards: one result per send, a
 * retry's the same as its command's first, each the one a plain model of the accounts predicts;
 * events contiguous and unique; every accepted command's events present and no others; and every
 * account's snapshot, read through the survivor's HTTP API, equal to the fold of its events.
 */
@ExtendWith(KafkaStackPerClass.class)
class CrashIT {

    private static final String TYPE = "ex_accounts";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final int ACCOUNTS = 300;
    /** At least this many commands are sent (more while the kill, the takeover and the restart take). */
    private static final int MIN_COMMANDS = 3_000;
    /** Commands ready to send: the load stops long before they run out. */
    private static final int SUPPLY = 60_000;
    private static final Duration READY = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(CrashIT.class);

    @Test
    void aWorkerKilledMidLoadLosesAndDoublesNothing(KafkaStack.Endpoints stack) throws Exception {
        String run = "crash-" + Long.toString(System.nanoTime(), 36);
        WorkerProcess a = workers.start(worker(stack, run, "a"));
        WorkerProcess b = workers.start(worker(stack, run, "b"));
        a.awaitReady(READY);
        b.awaitReady(READY);

        List<SteadyLoad.Command> supply = commands(run, new Random(run.hashCode()));
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             CommittedTopic.Tail results = CommittedTopic.follow(stack.bootstrapServers(), TOPICS.results(),
                     r -> ExactlyOnceChecks.key(r).startsWith(run));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            int partitions = admin.describeTopics(List.of(TOPICS.commands())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPICS.commands()).partitions().size();
            long start = System.nanoTime();
            WorkerProcess restarted;
            List<SteadyLoad.Command> sent;
            // 120 commands a second, from before the kill until after the restarted instance took its share back.
            try (SteadyLoad load = SteadyLoad.start(stack.bootstrapServers(), codec, TOPICS.commands(), supply, 6, Duration.ofMillis(50))) {
                await("results coming").atMost(Duration.ofSeconds(90)).until(() -> results.counted() >= 800);
                Set<TopicPartition> owned = a.assigned(admin, TOPICS.commands());
                assertThat(owned).as("partitions of the worker about to be killed").isNotEmpty();
                a.kill();
                log(start, "killed a (owned " + owned + ") at " + results.counted() + " results, " + load.sent() + " sent");

                await("the survivor owns every partition").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> b.assigned(admin, TOPICS.commands()).size() == partitions);
                log(start, "b owns all " + partitions + " partitions at " + results.counted() + " results");
                awaitMoreResults(results, 300, "from the survivor after the takeover");

                // The killed instance comes back on the state directory kill -9 left behind, as a restarted pod would.
                WorkerProcess again = workers.start(worker(stack, run, "a2").stateDir(a.stateDir())).awaitReady(READY);
                await("the restarted instance owns partitions again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !again.assigned(admin, TOPICS.commands()).isEmpty());
                log(start, "a2 owns " + again.assigned(admin, TOPICS.commands()) + " at " + results.counted() + " results");
                restarted = again;
                awaitMoreResults(results, 300, "after the restarted instance took its share");

                await("thousands of commands sent").atMost(Duration.ofMinutes(2)).until(() -> load.sent() >= MIN_COMMANDS);
                sent = load.stop(Duration.ofSeconds(30));
                log(start, sent.size() + " commands sent");
            }
            await("a result for every command").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> results.counted() >= sent.size());
            log(start, "all results in");

            // Everything committed is readable once the killed instance's last transaction is over (aborted or fenced).
            CommittedTopic.awaitNoOpenTransactions(stack.bootstrapServers(), List.of(TOPICS.results(), TOPICS.events()), Duration.ofSeconds(60));
            List<ConsumerRecord<byte[], byte[]>> eventRecords = CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.events());
            ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.results()),
                    eventRecords, id -> id.startsWith(run));
            checks.assertOneResultPerSend(sent.stream().map(SteadyLoad.Command::id).toList());
            checks.assertEventsContiguousAndUnique();
            checks.assertEventsAreThoseOfAcceptedResults();
            assertResultsAreThoseOfTheModel(sent, checks);
            log(start, "outcomes " + checks.outcomes());

            EventFold<AccountState> fold = new EventFold<>(Accounts.type(), codec);
            eventRecords.stream().filter(r -> ExactlyOnceChecks.key(r).startsWith(run)).forEach(fold::add);
            assertThat(fold.snapshots()).as("every account opened").hasSize((int) sent.stream().map(SteadyLoad.Command::aggregateId).distinct().count());
            assertSnapshotsServedEqualTheFold(b, fold);
            log(start, "snapshots checked");

            for (WorkerProcess w : List.of(b, restarted)) {
                assertThat(w.terminate(Duration.ofSeconds(60))).as("exit status of " + w.name() + " after SIGTERM").isZero();
            }
        }
    }

    /**
     * Opens each account before its first other command; then deposits and withdrawals, some beyond
     * the balance; and about one send in twenty is a retry: an earlier command sent again, same id.
     */
    private static List<SteadyLoad.Command> commands(String run, Random random) {
        List<SteadyLoad.Command> commands = new ArrayList<>();
        Set<String> opened = new HashSet<>();
        int next = 0;
        while (commands.size() < SUPPLY) {
            if (commands.size() > 100 && random.nextInt(20) == 0) {
                commands.add(commands.get(commands.size() - 1 - random.nextInt(100)));
                continue;
            }
            String account = run + "-acc" + random.nextInt(ACCOUNTS);
            String id = run + "-cmd-" + next++;
            if (opened.add(account)) {
                commands.add(new SteadyLoad.Command(id, account, new OpenAccount("owner of " + account)));
            } else if (random.nextInt(10) < 6) {
                commands.add(new SteadyLoad.Command(id, account, new Deposit(1L + random.nextInt(100))));
            } else {
                commands.add(new SteadyLoad.Command(id, account, new Withdraw(1L + random.nextInt(150))));
            }
        }
        return commands;
    }

    /**
     * Replays the commands, in the order sent (which is each account's order), through a plain model
     * of an account, and compares each result's outcome and version with the model's.
     */
    private static void assertResultsAreThoseOfTheModel(List<SteadyLoad.Command> commands, ExactlyOnceChecks checks) {
        Map<String, long[]> model = new HashMap<>();   // account -> {version, balance}
        Set<String> decided = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (SteadyLoad.Command command : commands) {
            if (!decided.add(command.id())) {
                continue;   // a retry: its first result again (assertOneResultPerSend), nothing decided
            }
            long[] account = model.computeIfAbsent(command.aggregateId(), id -> new long[2]);
            Outcome expected;
            if (command.body() instanceof OpenAccount) {
                expected = Outcome.ACCEPTED;
                account[0]++;
            } else if (command.body() instanceof Deposit deposit) {
                expected = Outcome.ACCEPTED;
                account[0]++;
                account[1] += deposit.getAmount();
            } else {
                long amount = ((Withdraw) command.body()).getAmount();
                expected = amount > account[1] ? Outcome.REJECTED : Outcome.ACCEPTED;
                if (expected == Outcome.ACCEPTED) {
                    account[0]++;
                    account[1] -= amount;
                }
            }
            CommandResult result = checks.result(command.id());
            if (result.getOutcome() != expected || result.getVersion() != account[0]) {
                problems.add(command.id() + " " + command.body() + " on " + command.aggregateId() + ": " + result.getOutcome()
                        + " at version " + result.getVersion() + ", the model says " + expected + " at version " + account[0]);
            }
        }
        assertThat(problems).as("results that differ from the model").isEmpty();
    }

    /** Each account as the worker serves it (GET /aggregates/ex_accounts/{id}, forwarded to the owner when elsewhere) is the fold of its events. */
    private static void assertSnapshotsServedEqualTheFold(WorkerProcess via, EventFold<AccountState> fold) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Snapshot<AccountState>> entry : fold.snapshots().entrySet()) {
            String path = "/aggregates/" + TYPE + "/" + URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8);
            AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
            await("GET " + path).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
                answer.set(via.get(path));
                return answer.get().statusCode() == 200;
            });
            JsonNode served = JSON.readTree(answer.get().body());
            Snapshot<AccountState> folded = entry.getValue();
            JsonNode expectedState = PlainJson.write(folded.state());
            if (served.path("version").asLong() != folded.version() || !served.path("state").equals(expectedState)
                    || !served.path("meta").path("lastCommandId").asText().equals(folded.meta().getLastCommandId())) {
                problems.add(entry.getKey() + ": served " + served + ", the fold is version " + folded.version() + " "
                        + expectedState + " by " + folded.meta().getLastCommandId());
            }
        }
        assertThat(problems).as("snapshots that differ from the fold of their events").isEmpty();
    }

    private static void awaitMoreResults(CommittedTopic.Tail results, int more, String when) {
        int now = results.counted();
        await(more + " more results " + when).atMost(Duration.ofSeconds(90)).until(() -> results.counted() >= now + more);
    }

    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name) {
        // A killed instance is noticed when its session expires: the defaults' 6 s (docs/running.md, "Failover").
        return WorkerProcess.options(stack, run, name)
                .types(TYPE)
                .partitions(6);
    }


    private static void log(long start, String what) {
        System.out.printf("CrashIT +%.1fs: %s%n", (System.nanoTime() - start) / 1e9, what);
    }
}
