package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.ops.cli.FoldstreamCli;
import foldstream.ops.cli.RegistryWiring;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The transfer process on a real broker, in worker processes started with the defaults (every example
 * type and the transfer process, so killing one kills aggregates and process instances alike):
 * hundreds of transfers racing over a few hundred accounts while a worker is killed with kill -9 and
 * started again, then one transfer through the HTTP API.
 */
@ExtendWith(KafkaStackPerClass.class)
class TransfersIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final String ACCOUNTS = "ex_accounts";
    private static final String TRANSFERS = "ex_transfers";
    private static final int ACCOUNT_COUNT = 200;
    private static final long OPENING_DEPOSIT = 100;
    /** Requested at 40 a second, so the kill and the restart happen while they come. */
    private static final int TRANSFER_COUNT = 600;

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(TransfersIT.class);

    /** A worker with the defaults, which notice a killed worker within seconds (docs/running.md, "Failover"). */
    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name) {
        return WorkerProcess.options(stack, run, name);
    }

    /** One transfer through the HTTP API of a plain worker, and its process instance as GET /processes shows it. */
    private static void aTransferOverHttpMovesTheMoneyAndItsProcessIsVisible(WorkerProcess w, String run) {
        String alice = run + "-alice";
        String bob = run + "-bob";
        assertThat(post(w, "/aggregates/ex_accounts/" + alice + "/commands/OpenAccount", "{\"owner\":\"Alice\"}").status()).isEqualTo(200);
        assertThat(post(w, "/aggregates/ex_accounts/" + alice + "/commands/Deposit", "{\"amount\":100}").status()).isEqualTo(200);
        assertThat(post(w, "/aggregates/ex_accounts/" + bob + "/commands/OpenAccount", "{\"owner\":\"Bob\"}").status()).isEqualTo(200);

        FacadeHttp.Reply requested = post(w, "/aggregates/ex_transfers/" + run + "-T1/commands/RequestTransfer",
                "{\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":30}");
        assertThat(requested.status()).as(requested.body()).isEqualTo(200);
        await("the transfer completes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(w, "ex_transfers", run + "-T1").path("status").asText(), "COMPLETED"::equals);
        assertThat(state(w, "ex_accounts", alice).path("balance").asLong()).isEqualTo(70);
        assertThat(state(w, "ex_accounts", bob).path("balance").asLong()).isEqualTo(30);

        JsonNode process = await("the process instance finishes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> FacadeHttp.parse(w.get("/processes/transfer/" + run + "-T1").body()),
                        json -> "FINISHED".equals(json.path("status").asText()));
        assertThat(process.path("commands")).extracting(c -> c.path("commandType").asText().replaceAll(".*\\.", "") + " "
                + c.path("outcome").asText()).containsExactly("Withdraw ACCEPTED", "Deposit ACCEPTED", "CompleteTransfer ACCEPTED");
        assertThat(process.path("state").path("stage").asText()).isEqualTo("SETTLED");
        assertThat(process.path("deadlines")).isEmpty();
        assertThat(w.get("/processes/transfer/nobody").statusCode()).isEqualTo(404);
        assertThat(w.get("/processes/nothing/x").statusCode()).isEqualTo(404);

        // To an account that does not exist: the money goes back and the transfer fails, saying why.
        post(w, "/aggregates/ex_transfers/" + run + "-T2/commands/RequestTransfer",
                "{\"from\":\"" + alice + "\",\"to\":\"" + run + "-nobody\",\"amount\":20}");
        await("the transfer fails").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(w, "ex_transfers", run + "-T2").path("status").asText(), "FAILED"::equals);
        assertThat(state(w, "ex_transfers", run + "-T2").path("reason").asText()).contains("NOT_FOUND", "refunded");
        await("the refund lands").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(w, "ex_accounts", alice).path("balance").asLong() == 70);
    }

    private static FacadeHttp.Reply post(WorkerProcess w, String path, String body) {
        // The restarted worker may still be taking its share back: a result can take longer than the default 10 s.
        return FacadeHttp.post(w.httpPort(), path + "?timeoutMs=60000", body);
    }

    private static JsonNode state(WorkerProcess w, String type, String id) {
        return FacadeHttp.parse(w.get("/aggregates/" + type + "/" + id).body()).path("state");
    }

    /**
     * Transfers racing over a few hundred accounts (half of them over ten hot accounts, some overdrawing,
     * some to accounts that do not exist) while one of the two workers, chosen at random, is killed with
     * kill -9 (its aggregates and its share of the process instances with it) and started again on the
     * state directory it left. Once quiet: every transfer ended once, moved money once (or not at all,
     * or moved it and gave it back), and the balances add up to the money deposited outside transfers.
     * Then one transfer through the HTTP API of the survivor, and its process instance over HTTP.
     */
    @Test
    void transfersRacingOverAccountsSurviveKill9AndConserveMoney(KafkaStack.Endpoints stack) throws Exception {
        String run = "race-" + Long.toString(System.nanoTime(), 36);
        Random random = new Random(run.hashCode());
        WorkerProcess a = workers.start(worker(stack, run, "a"));
        WorkerProcess b = workers.start(worker(stack, run, "b"));
        a.awaitReady(READY);
        b.awaitReady(READY);
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()))) {
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            // Accounts opened and funded outside transfers: the money that exists.
            String accountsTopic = AggregateTopics.of(ACCOUNTS).commands();
            try (KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
                for (int i = 0; i < ACCOUNT_COUNT; i++) {
                    String account = account(run, i);
                    producer.send(SteadyLoad.record(codec, accountsTopic, new SteadyLoad.Command(account + "-open", account, new OpenAccount("o"))));
                    producer.send(SteadyLoad.record(codec, accountsTopic,
                            new SteadyLoad.Command(account + "-fund", account, new Deposit(OPENING_DEPOSIT))));
                }
                producer.flush();
            }
            List<SteadyLoad.Command> sent = transfers(run, random);
            long start = System.nanoTime();
            Predicate<ConsumerRecord<byte[], byte[]>> ended = r -> ExactlyOnceChecks.key(r).startsWith(run) && endsTransfer(r);
            try (CommittedTopic.Tail endings = CommittedTopic.follow(stack.bootstrapServers(), AggregateTopics.of(TRANSFERS).events(), ended);
                 SteadyLoad load = SteadyLoad.start(stack.bootstrapServers(), codec, AggregateTopics.of(TRANSFERS).commands(), sent, 2,
                         Duration.ofMillis(50))) {
                await("transfers ending").atMost(Duration.ofSeconds(90)).until(() -> endings.counted() >= 30);
                boolean killA = random.nextBoolean();
                WorkerProcess victim = killA ? a : b;
                WorkerProcess survivor = killA ? b : a;
                victim.kill();
                log(start, "killed " + victim.name() + " at " + endings.counted() + " ended, " + load.sent() + " requested");
                WorkerProcess again = workers.start(worker(stack, run, victim.name() + "2").stateDir(victim.stateDir())).awaitReady(READY);
                log(start, again.name() + " ready at " + endings.counted() + " ended, " + load.sent() + " requested");
                // The load goes on after the restart until every transfer is requested (a fast restart comes first).
                await("every transfer requested").atMost(Duration.ofSeconds(120)).until(() -> load.sent() >= TRANSFER_COUNT);
                assertThat(load.stop(Duration.ofSeconds(60))).as("every transfer requested").hasSize(TRANSFER_COUNT);
                await("every transfer completed or failed").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> endings.counted() >= sent.size());
                log(start, "all ended");

                CommittedTopic.awaitNoOpenTransactions(stack.bootstrapServers(),
                        List.of(AggregateTopics.of(ACCOUNTS).events(), AggregateTopics.of(TRANSFERS).events()), Duration.ofSeconds(60));
                List<ConsumerRecord<byte[], byte[]>> transferEvents = mine(run,
                        CommittedTopic.readAll(stack.bootstrapServers(), AggregateTopics.of(TRANSFERS).events()));
                List<ConsumerRecord<byte[], byte[]>> accountEvents = mine(run,
                        CommittedTopic.readAll(stack.bootstrapServers(), AggregateTopics.of(ACCOUNTS).events()));
                assertEveryTransferEndedOnceAndMovedMoneyOnce(sent, transferEvents, accountEvents);
                assertMoneyIsConserved(codec, accountEvents);
                assertTheCliListsNothingInFlight(stack, run, sent.size());

                aTransferOverHttpMovesTheMoneyAndItsProcessIsVisible(survivor, run + "-http");
                for (WorkerProcess w : List.of(survivor, again)) {
                    assertThat(w.terminate(Duration.ofSeconds(60))).as("exit status of " + w.name()).isZero();
                }
            }
        }
    }

    /**
     * {@code foldstream processes transfer}: once every transfer has ended, none is in flight, stuck or
     * failed, and every one is a finished instance (the changelog may lag the results by a commit).
     */
    private static void assertTheCliListsNothingInFlight(KafkaStack.Endpoints stack, String run, int transfers) {
        await("the CLI counts every instance finished").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    CommandLine cli = FoldstreamCli.commandLine(Map.of(), RegistryWiring.current());
                    cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
                    int status = cli.execute("processes", "transfer", "--application-id", run,
                            "--bootstrap-servers", stack.bootstrapServers());
                    assertThat(status).as(err.toString()).isZero();
                    assertThat(out.toString()).startsWith("transfer (application " + run + "-process-transfer): 0 in flight, 0 stuck")
                            .contains(" 0 failed, " + transfers + " finished and kept");
                });
    }

    private static String account(String run, int i) {
        return run + "-acc" + i;
    }

    /**
     * Half the transfers among ten hot accounts (racing on them), one in ten to an account that does
     * not exist, amounts up to 80 against balances of 100 (so some overdraw).
     */
    private static List<SteadyLoad.Command> transfers(String run, Random random) {
        List<SteadyLoad.Command> transfers = new ArrayList<>();
        for (int i = 0; i < TRANSFER_COUNT; i++) {
            int bound = random.nextBoolean() ? 10 : ACCOUNT_COUNT;
            int from = random.nextInt(bound);
            int to = (from + 1 + random.nextInt(bound - 1)) % bound;
            String toAccount = random.nextInt(10) == 0 ? run + "-missing" + i : account(run, to);
            String id = run + "-T" + i;
            transfers.add(new SteadyLoad.Command(id, id, new RequestTransfer(account(run, from), toAccount, 1L + random.nextInt(80))));
        }
        return transfers;
    }

    private static boolean endsTransfer(ConsumerRecord<byte[], byte[]> record) {
        String type = ExactlyOnceChecks.header(record, ContractHeaders.EVENT_TYPE);
        return type != null && (type.endsWith(".TransferCompleted") || type.endsWith(".TransferFailed"));
    }

    private static List<ConsumerRecord<byte[], byte[]>> mine(String run, List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().filter(r -> ExactlyOnceChecks.key(r).startsWith(run)).toList();
    }

    /**
     * Each transfer's money moves are the account events correlated to it (the process's commands carry
     * the request's correlation id, which is its command id): a completed transfer withdrew once and
     * deposited once to {@code to}; a failed one moved nothing, or withdrew once and refunded once.
     */
    private static void assertEveryTransferEndedOnceAndMovedMoneyOnce(List<SteadyLoad.Command> sent,
                                                                      List<ConsumerRecord<byte[], byte[]>> transferEvents,
                                                                      List<ConsumerRecord<byte[], byte[]>> accountEvents) {
        Map<String, List<String>> endings = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> event : transferEvents) {
            if (endsTransfer(event)) {
                endings.computeIfAbsent(ExactlyOnceChecks.key(event), k -> new ArrayList<>())
                        .add(ExactlyOnceChecks.header(event, ContractHeaders.EVENT_TYPE).replaceAll(".*\\.Transfer", ""));
            }
        }
        Map<String, List<String>> moves = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> event : accountEvents) {
            String correlation = ExactlyOnceChecks.header(event, ContractHeaders.CORRELATION_ID);
            String type = ExactlyOnceChecks.header(event, ContractHeaders.EVENT_TYPE);
            if (type.endsWith(".MoneyWithdrawn") || type.endsWith(".MoneyDeposited")) {
                moves.computeIfAbsent(correlation, k -> new ArrayList<>()).add((type.endsWith(".MoneyWithdrawn") ? "-" : "+")
                        + ExactlyOnceChecks.key(event));
            }
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> tally = new HashMap<>();
        for (SteadyLoad.Command command : sent) {
            RequestTransfer request = (RequestTransfer) command.body();
            List<String> ending = endings.getOrDefault(command.id(), List.of());
            // Sorted: the two accounts' events are on different partitions, read one partition after the other.
            List<String> moved = moves.getOrDefault(command.id(), List.of()).stream().sorted().toList();
            List<String> expectedIfCompleted = List.of("+" + request.getTo(), "-" + request.getFrom());
            List<String> refunded = List.of("+" + request.getFrom(), "-" + request.getFrom());
            boolean ok = ending.equals(List.of("Completed")) ? moved.equals(expectedIfCompleted)
                    : ending.equals(List.of("Failed")) && (moved.isEmpty() || moved.equals(refunded));
            if (!ok) {
                problems.add(command.id() + " " + request + ": ended " + ending + ", moved " + moved);
            }
            tally.merge(ending + (moved.size() == 2 && ending.equals(List.of("Failed")) ? " refunded" : ""), 1, Integer::sum);
        }
        System.out.println("transfers: " + tally);
        assertThat(problems).as("transfers that did not end once, or moved money other than once").isEmpty();
        assertThat(tally.keySet()).as("completed, failed without moving, and refunded transfers all happened")
                .contains("[Completed]", "[Failed]", "[Failed] refunded");
    }

    /** The balances, folded from the events, add up to the money deposited outside transfers. */
    private static void assertMoneyIsConserved(AvroWireCodec codec, List<ConsumerRecord<byte[], byte[]>> accountEvents) {
        Map<String, Long> balances = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> event : accountEvents) {
            String type = ExactlyOnceChecks.header(event, ContractHeaders.EVENT_TYPE);
            if (type.endsWith(".MoneyDeposited")) {
                balances.put(ExactlyOnceChecks.key(event), codec.decode(event.value(), MoneyDeposited.class).getBalance());
            } else if (type.endsWith(".MoneyWithdrawn")) {
                balances.put(ExactlyOnceChecks.key(event), codec.decode(event.value(), MoneyWithdrawn.class).getBalance());
            }
        }
        assertThat(balances.values().stream().allMatch(balance -> balance >= 0)).isTrue();
        assertThat(balances.values().stream().mapToLong(Long::longValue).sum()).as("the sum of all balances")
                .isEqualTo(ACCOUNT_COUNT * OPENING_DEPOSIT);
    }

    private static void log(long start, String what) {
        System.out.printf("TransfersIT +%d ms: %s%n", (System.nanoTime() - start) / 1_000_000, what);
    }
}
