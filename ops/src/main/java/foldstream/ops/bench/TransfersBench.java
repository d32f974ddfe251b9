package foldstream.ops.bench;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The {@code TRANSFERS} part: money transfers completed per second end to end. One worker JVM runs
 * {@code ex_accounts}, {@code ex_transfers} and the {@code transfer} process, as {@code ops/foldstream worker}
 * does; each run opens and funds its accounts, then offers every {@code RequestTransfer} at once (some
 * to accounts that do not exist, some overdrawing, so that both the completing and the failing paths
 * run) and times from the first request sent to the last transfer {@code COMPLETED} or {@code FAILED}
 * on {@code ex_transfers-events}. Then it folds the accounts' balances from {@code ex_accounts-events}
 * and reports whether they still add up to the money deposited (money is conserved).
 *
 * <pre>{@code
 * Measurement m = new TransfersBench(settings, bootstrap, registryUrl, codec, System.err).measure();
 * }</pre>
 */
final class TransfersBench {

    private static final Duration STALL = Duration.ofSeconds(120);
    private static final Duration READY = Duration.ofSeconds(180);
    /** How long balances may take to settle after the last transfer ended (a refund still on its way). */
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final AggregateTopics ACCOUNTS = AggregateTopics.of("ex_accounts");
    private static final AggregateTopics TRANSFERS = AggregateTopics.of("ex_transfers");

    private final BenchSettings settings;
    private final String bootstrap;
    private final String registryUrl;
    private final AvroWireCodec codec;
    private final PrintStream progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    TransfersBench(BenchSettings settings, String bootstrap, String registryUrl, AvroWireCodec codec, PrintStream progress) {
        this.settings = settings;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.codec = codec;
        this.progress = progress;
    }

    /**
     * What one run found.
     *
     * @param moneyDifference the balances' sum minus the money deposited: 0 when money is conserved
     */
    record Outcome(double perSecond, int completed, int failed, int endedTwice, long moneyDifference, int overdrawn) {
        boolean conserved() {
            return moneyDifference == 0 && overdrawn == 0 && endedTwice == 0;
        }
    }

    /** {@code settings.repeats()} runs in one worker, started once (its start is not timed). */
    Measurement measure() throws Exception {
        TransferLoad load = settings.transfers();
        // Unique per invocation: on a broker given with --bootstrap-servers, earlier runs' ids and groups stay apart.
        String app = "bench-transfers-" + Long.toString(System.currentTimeMillis(), 36);
        int port = freePort();
        List<Double> perSecond = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        try (ChildProcess worker = new ChildProcess(WorkerMain.class, settings.childArchive().jvmOptions(), List.of("--bootstrap-servers", bootstrap,
                "--schema-registry-url", registryUrl, "--application-id", app,
                "--state-dir", settings.workDir().resolve("state").resolve(app).toString(),
                "--types", "ex_accounts,ex_transfers", "--projections", "none", "--partitions", Integer.toString(settings.partitions()),
                "--http-port", Integer.toString(port)), settings.workDir().resolve("logs").resolve(app + ".log"))) {
            awaitReady(worker, port);
            for (int r = 0; r < settings.repeats(); r++) {
                progress.printf("%n[bench] transfers run %d/%d: %,d transfers between %,d accounts%n", r + 1, settings.repeats(),
                        load.transfers(), load.accounts());
                Outcome outcome = run(app + "-r" + r, load, new SplittableRandom(42 + r), worker);
                progress.printf("%n[bench]   %.0f transfers/s, %d completed, %d failed, money %s%n", outcome.perSecond(),
                        outcome.completed(), outcome.failed(), outcome.conserved() ? "conserved" : "NOT CONSERVED: " + outcome);
                perSecond.add(outcome.perSecond());
                outcomes.add(outcome);
            }
        }
        Outcome median = outcomes.get(0);
        double middle = Stats.median(perSecond);
        for (Outcome outcome : outcomes) {
            if (outcome.perSecond() == middle) {
                median = outcome;
            }
        }
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("transfers", (double) load.transfers());
        details.put("accounts", (double) load.accounts());
        details.put("completed", (double) median.completed());
        details.put("failed", (double) median.failed());
        details.put("money difference", (double) median.moneyDifference());
        List<Outcome> broken = outcomes.stream().filter(outcome -> !outcome.conserved()).toList();
        String note = "one worker JVM (ex_accounts, ex_transfers, transfer process), first RequestTransfer sent to last "
                + "COMPLETED/FAILED event; " + (broken.isEmpty() ? "money conserved in every run"
                : "MONEY NOT CONSERVED in " + broken.size() + " run(s): " + broken);
        return new Measurement("transfers completed end to end (" + load.accounts() + " accounts)", "transfers/s", perSecond,
                details, note);
    }

    private Outcome run(String prefix, TransferLoad load, SplittableRandom random, ChildProcess worker) throws Exception {
        try (ResultWatch accountResults = new ResultWatch(bootstrap, ACCOUNTS.results(), true);
             ResultWatch accountEvents = new ResultWatch(bootstrap, ACCOUNTS.events(), true);
             ResultWatch transferEvents = new ResultWatch(bootstrap, TRANSFERS.events(), true);
             KafkaProducer<byte[], byte[]> producer = CommandLoad.producer(bootstrap, 5)) {
            // The money that exists: every account opened and funded outside transfers.
            for (int i = 0; i < load.accounts(); i++) {
                producer.send(command(ACCOUNTS, prefix + "-open" + i, account(prefix, i), new OpenAccount("owner " + i)));
                producer.send(command(ACCOUNTS, prefix + "-fund" + i, account(prefix, i), new Deposit(load.deposit())));
            }
            producer.flush();
            Set<String> answered = new HashSet<>();
            long[] lastAnswer = {System.nanoTime()};
            accountResults.watch(() -> answered.size() == 2 * load.accounts() || stalled(lastAnswer[0], worker), (id, now) -> {
                if (id.startsWith(prefix + "-") && answered.add(id)) {
                    lastAnswer[0] = now;
                    progress("accounts opened and funded", answered.size(), 2 * load.accounts());
                }
            });
            if (answered.size() < 2 * load.accounts()) {
                throw new IllegalStateException("only " + answered.size() + " of " + 2 * load.accounts() + " account commands answered");
            }

            // Not timed: a few transfers first, so that the transfer topics' first writes (and their
            // leaders) are not part of the burst; a first write to a new partition under load can stall a producer.
            int warmUp = 4 * settings.partitions();
            for (int i = 0; i < warmUp; i++) {
                String id = prefix + "-W" + i;
                producer.send(command(TRANSFERS, id, id, new RequestTransfer(account(prefix, i % load.accounts()),
                        account(prefix, (i + 1) % load.accounts()), 1L)));
            }
            producer.flush();
            awaitEndings(transferEvents, prefix + "-W", warmUp, worker, "warm-up transfers ended");

            long start = System.nanoTime();
            for (int i = 0; i < load.transfers(); i++) {
                int from = random.nextInt(load.accounts());
                int to = (from + 1 + random.nextInt(load.accounts() - 1)) % load.accounts();
                // One in twenty to an account that does not exist: withdrawn, refused, refunded, failed.
                String toAccount = random.nextInt(20) == 0 ? prefix + "-missing" + i : account(prefix, to);
                String id = prefix + "-T" + i;
                producer.send(command(TRANSFERS, id, id, new RequestTransfer(account(prefix, from), toAccount,
                        1L + random.nextLong(load.deposit() / 5))));
            }
            producer.flush();
            Endings endings = awaitEndings(transferEvents, prefix + "-T", load.transfers(), worker, "transfers ended");
            double perSecond = load.transfers() / ((endings.lastNanos() - start) / 1e9);
            int completed = (int) endings.types().values().stream().filter(type -> type.endsWith(".TransferCompleted")).count();

            Map<String, Long> balances = balances(prefix, load, accountEvents);
            long difference = balances.values().stream().mapToLong(Long::longValue).sum() - load.accounts() * load.deposit();
            int overdrawn = (int) balances.values().stream().filter(balance -> balance < 0).count();
            return new Outcome(perSecond, completed, load.transfers() - completed, endings.endedTwice(), difference, overdrawn);
        }
    }

    /** How transfers ended: the event type by transfer id, how many ended more than once, and when the last ended. */
    private record Endings(Map<String, String> types, int endedTwice, long lastNanos) {
    }

    /** Waits until {@code count} transfers whose ids start with {@code idPrefix} are COMPLETED or FAILED. */
    private Endings awaitEndings(ResultWatch transferEvents, String idPrefix, int count, ChildProcess worker, String what) {
        Map<String, String> endings = new HashMap<>();
        int[] endedTwice = {0};
        long[] lastEnd = {System.nanoTime()};
        transferEvents.records(() -> endings.size() == count || stalled(lastEnd[0], worker), (event, now) -> {
            String type = ContractHeaders.text(event.headers(), ContractHeaders.EVENT_TYPE);
            String id = key(event);
            if (type != null && id.startsWith(idPrefix) && (type.endsWith(".TransferCompleted") || type.endsWith(".TransferFailed"))) {
                if (endings.put(id, type) != null) {
                    endedTwice[0]++;
                }
                lastEnd[0] = now;
                progress(what, endings.size(), count);
            }
        });
        return new Endings(endings, endedTwice[0], lastEnd[0]);
    }

    /**
     * The last balance of each account of the run, read up to the end of the events as they are now, then
     * on until they add up to the money deposited or nothing more comes for {@link #SETTLE} (a refund
     * may still be on its way when its transfer failed on a deadline).
     */
    private Map<String, Long> balances(String prefix, TransferLoad load, ResultWatch accountEvents) {
        Map<String, Long> balances = new HashMap<>();
        long deposited = load.accounts() * load.deposit();
        Map<TopicPartition, Long> ends = accountEvents.ends();
        long[] lastEvent = {System.nanoTime()};
        accountEvents.records(() -> (accountEvents.reached(ends) && balances.values().stream().mapToLong(Long::longValue).sum() == deposited)
                || System.nanoTime() - lastEvent[0] > SETTLE.toNanos(), (event, now) -> {
            String type = ContractHeaders.text(event.headers(), ContractHeaders.EVENT_TYPE);
            String account = key(event);
            if (type == null || !account.startsWith(prefix + "-acc")) {
                return;
            }
            if (type.endsWith(".MoneyDeposited")) {
                balances.put(account, codec.decode(event.value(), MoneyDeposited.class).getBalance());
            } else if (type.endsWith(".MoneyWithdrawn")) {
                balances.put(account, codec.decode(event.value(), MoneyWithdrawn.class).getBalance());
            }
            lastEvent[0] = now;
        });
        return balances;
    }

    private ProducerRecord<byte[], byte[]> command(AggregateTopics topics, String commandId, String aggregateId, SpecificRecord body) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.commands(), body.getSchema()), body);
        return new ProducerRecord<>(topics.commands(), null, aggregateId.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    private static String account(String prefix, int i) {
        return prefix + "-acc" + i;
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    }

    private static boolean stalled(long lastNanos, ChildProcess worker) {
        worker.checkAlive();
        if (System.nanoTime() - lastNanos > STALL.toNanos()) {
            throw new IllegalStateException("nothing for " + STALL.toSeconds() + " s; see the worker's log");
        }
        return false;
    }

    /** Until the worker's {@code /ready} answers 200: its aggregates and its process run. */
    private void awaitReady(ChildProcess worker, int port) throws InterruptedException {
        progress.printf("%n[bench] transfers: starting the worker%n");
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < deadline) {
            worker.checkAlive();
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            LockSupport.parkNanos(200_000_000L);
        }
        throw new IllegalStateException("the transfers worker was not ready within " + READY.toSeconds() + " s");
    }

    private void progress(String what, int done, int total) {
        if (done % 500 == 0 || done == total) {
            progress.printf(Locale.ROOT, "\r[bench]   %s %,d / %,d   ", what, done, total);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
