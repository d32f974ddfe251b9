package foldstream.worker.gateway;

import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlResult;
import foldstream.protocol.Outcome;
import foldstream.worker.observe.GatewayMeters;
import foldstream.worker.observe.TraceHeaders;
import foldstream.worker.observe.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.observe.RateLimitedLog;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.serialization.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands and hands back their results: the seeds' Facade, on Kafka. One producer and one
 * shared reply consumer per gateway, whatever the number of calls; results meant for other
 * gateways are skipped on their headers, without decoding.
 *
 * <pre>{@code
 * try (CommandGateway gateway = new CommandGateway(Map.of("bootstrap.servers", "localhost:9092"), codec,
 *         List.of("ex_accounts"))) {
 *     CommandResult opened = gateway.create("ex_accounts", new OpenAccount("ann")).get();
 *     CommandResult deposited = gateway.send("ex_accounts", opened.getAggregateId(), new Deposit(10L),
 *             SendOptions.defaults().withExpectedVersion(opened.getVersion())).get();
 * }
 * }</pre>
 *
 * <p>A call that times out fails with {@link CommandTimeoutException}: the command may still be
 * applied, and sending it again with the same command id is safe and answers its result.
 *
 * <p>No call waits longer than the gateway's {@code maxTimeout} (default {@link #DEFAULT_MAX_TIMEOUT}),
 * whatever its {@link SendOptions#timeout()}: an HTTP client cannot hold a caller's thread and future
 * for longer. The reader of results never stops for good: a record it cannot read is skipped, and a
 * failure of its consumer (the broker away, say) is logged, waited out with backoff, and, when it
 * lasts, answered with a new consumer that resumes where the old one stopped.
 *
 * <p>Futures complete on the gateway's own callback threads, never on the thread that reads the
 * results: a callback may send another command and wait for its result without stalling the others.
 */
public final class CommandGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);
    /** The longest any call waits for its result unless the gateway is made with another bound. */
    public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofMinutes(5);
    /** Consecutive failures of the reply consumer after which it is replaced by a new one. */
    private static final int RECREATE_AFTER_FAILURES = 3;
    private static final Duration MAX_READER_BACKOFF = Duration.ofSeconds(5);

    private final AvroWireCodec codec;
    private final Map<String, Object> kafka;
    private final Set<String> types;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Object> consumerSettings;
    private final Duration maxTimeout;
    /** Read and replaced only by the reply thread (and closed by {@link #close()} after that thread ends). */
    private volatile KafkaConsumer<byte[], byte[]> replies;
    /** Where the reply thread is in each results partition, so a new consumer resumes there. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final RateLimitedLog readerLog = new RateLimitedLog(1, 30_000, System::currentTimeMillis);
    private final Map<String, CompletableFuture<CommandResult>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timeouts;
    private final ExecutorService callbacks;
    private final Thread replyLoop;
    private final List<TopicPartition> resultPartitions = new ArrayList<>();
    private volatile boolean closed;
    private final GatewayMeters meters;
    private final Tracing tracing = Tracing.global();

    /**
     * The reply consumer reads only while commands wait for results, and for a while after: an idle
     * gateway (a worker's, say, that serves no HTTP commands) costs nothing. Before the first command
     * after idling, the reader moves to the end of the results topics, so it sees every result of a
     * command sent from then on without wading through what came while it slept.
     */
    private static final long IDLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final Object listening = new Object();
    private boolean reading;
    private boolean wanted;

    /**
     * Connects, and checks that each type's results topic exists.
     *
     * @param kafka client settings: at least {@code bootstrap.servers}; any producer or consumer setting
     * @param types the stream names of the aggregate types this gateway sends to
     */
    public CommandGateway(Map<String, Object> kafka, AvroWireCodec codec, Collection<String> types) {
        this(kafka, codec, types, DEFAULT_MAX_TIMEOUT);
    }

    /**
     * As above, with the longest a call may wait for its result: a longer {@link SendOptions#timeout()}
     * (or replay timeout) is cut to {@code maxTimeout}.
     */
    public CommandGateway(Map<String, Object> kafka, AvroWireCodec codec, Collection<String> types, Duration maxTimeout) {
        this(kafka, codec, types, maxTimeout, GatewayMeters.none());
    }

    /**
     * With the gateway's meters on {@code meters} (commands sent, results, timeouts, in flight,
     * send-to-result latency; docs/observability.md).
     */
    public CommandGateway(Map<String, Object> kafka, AvroWireCodec codec, Collection<String> types, MeterRegistry meters) {
        this(kafka, codec, types, DEFAULT_MAX_TIMEOUT, meters);
    }

    /** With the longest wait for a result and the gateway's meters. */
    public CommandGateway(Map<String, Object> kafka, AvroWireCodec codec, Collection<String> types, Duration maxTimeout,
                          MeterRegistry meters) {
        if (maxTimeout.isNegative() || maxTimeout.isZero()) {
            throw new IllegalArgumentException("maxTimeout must be positive, was " + maxTimeout);
        }
        this.maxTimeout = maxTimeout;
        this.codec = codec;
        this.kafka = java.util.Collections.unmodifiableMap(new HashMap<>(kafka));
        this.types = Set.copyOf(types);
        String clientId = "foldstream-gateway-" + UUID.randomUUID();
        this.meters = new GatewayMeters(meters, clientId, this.types, pending::size);

        Map<String, Object> producerSettings = new HashMap<>(kafka);
        producerSettings.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        producerSettings.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerSettings.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        producerSettings.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-commands");
        this.producer = new KafkaProducer<>(producerSettings, new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> consumerSettings = new HashMap<>(kafka);
        consumerSettings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerSettings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerSettings.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-results");
        this.consumerSettings = Map.copyOf(consumerSettings);
        this.replies = new KafkaConsumer<>(consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String type : this.types) {
                String topic = AggregateTopics.of(type).results();
                List<PartitionInfo> infos = replies.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("results topic " + topic + " does not exist at "
                            + kafka.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + "; create the topics first");
                }
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            replies.assign(partitions);
            resultPartitions.addAll(partitions);
        } catch (RuntimeException e) {
            replies.close();
            producer.close();
            throw e;
        }
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, clientId + "-timeouts"));
        timer.setRemoveOnCancelPolicy(true);
        this.timeouts = timer;
        // Callers' callbacks run here; a cached pool, so one that blocks never holds up another's result.
        this.callbacks = Executors.newCachedThreadPool(r -> daemon(r, clientId + "-callbacks"));
        this.replyLoop = daemon(this::readReplies, clientId + "-replies");
        replyLoop.start();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Sends a command to an existing or new aggregate with a fresh command id and the default timeout. */
    public CompletableFuture<CommandResult> send(String type, String aggregateId, SpecificRecord command) {
        return send(type, aggregateId, command, SendOptions.defaults());
    }

    /** Creates a new aggregate with a new random id (the seed's {@code with_new_aggregate}); the result names the id. */
    public CompletableFuture<CommandResult> create(String type, SpecificRecord command) {
        return send(type, UUID.randomUUID().toString(), command, SendOptions.defaults());
    }

    /** Sends a command; the future completes with its result, or fails with {@link CommandTimeoutException}. */
    public CompletableFuture<CommandResult> send(String type, String aggregateId, SpecificRecord command, SendOptions options) {
        if (closed) {
            throw new IllegalStateException("the gateway is closed");
        }
        if (!types.contains(type)) {
            throw new IllegalArgumentException("this gateway does not send to " + type + "; it knows " + types);
        }
        AggregateTopics topics = AggregateTopics.of(type);
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.commands(), command.getSchema()), command);
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(options.commandId()));
        if (options.expectedVersion() != -1) {
            headers.add(ContractHeaders.EXPECTED_VERSION, ContractHeaders.utf8(options.expectedVersion()));
        }
        if (options.correlationId() != null) {
            headers.add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8(options.correlationId()));
        }
        if (options.causationId() != null) {
            headers.add(ContractHeaders.CAUSATION_ID, ContractHeaders.utf8(options.causationId()));
        }

        // With an OpenTelemetry SDK, a send span whose context the command carries; without one, the worker starts the trace.
        Tracing.Step span = tracing.startSend(type);
        TraceHeaders.Context trace = span.context(null);
        if (trace != null) {
            trace.addTo(headers);
        }
        try {
            return dispatch(type, null, aggregateId, value, headers, options.commandId(), bounded(options.timeout()));
        } finally {
            span.end();
        }
    }

    /**
     * Asks the workers to rebuild the snapshots of a type from its events with the current
     * {@code evolve}: one {@code ControlInstruction} (REPLAY) on each partition of {@code S-control},
     * answered on {@code S-control-results} by the task that owns it once its partition is rebuilt
     * (README, "Topics and records"). Commands sent meanwhile wait, and are processed in order after
     * it, exactly once. Needs write access to {@code S-control}, which ACLs may keep from those who
     * may only send commands.
     *
     * <pre>{@code
     * List<ControlResult> partitions = gateway.replay("ex_accounts", Duration.ofMinutes(10)).get();
     * boolean done = partitions.stream().allMatch(r -> r.getOutcome() == ControlOutcome.DONE);
     * }</pre>
     *
     * @return one result per partition, by partition: DONE (eventsFolded, aggregatesRebuilt), REFUSED
     *     (a type that keeps no events), or FAILED with errorCode INCONSISTENT_EVENTS naming the first
     *     aggregate and version that could not be folded; fails with a {@link java.util.concurrent.TimeoutException}
     *     when some partition did not answer in time (replaying again is safe)
     */
    public CompletableFuture<List<ControlResult>> replay(String type, Duration requested) {
        Duration timeout = bounded(requested);
        if (!types.contains(type)) {
            throw new IllegalArgumentException("this gateway does not send to " + type + "; it knows " + types);
        }
        CompletableFuture<List<ControlResult>> answer = new CompletableFuture<>();
        Thread replay = new Thread(() -> {
            try {
                answer.complete(new ReplayRequest(kafka, producer, codec).run(type, timeout));
            } catch (ExecutionException e) {
                answer.completeExceptionally(e.getCause());
            } catch (Exception e) {
                answer.completeExceptionally(e);
            }
        }, "foldstream-gateway-replay-" + type);
        replay.setDaemon(true);
        replay.start();
        return answer;
    }

    /** Sends a record to a type's commands topic and registers the future its result completes. */
    private CompletableFuture<CommandResult> dispatch(String type, Integer partition, String aggregateId, byte[] value,
                                                      RecordHeaders headers, String commandId, Duration timeout) {
        AggregateTopics topics = AggregateTopics.of(type);
        String key = replyKey(topics.results(), aggregateId, commandId);
        CompletableFuture<CommandResult> future = pending.computeIfAbsent(key, k -> new CompletableFuture<>());
        long sentAt = System.nanoTime();
        ScheduledFuture<?> timer = timeouts.schedule(() -> {
            if (pending.remove(key, future)) {
                meters.timedOut(type);
                fail(future, new CommandTimeoutException(type, aggregateId, commandId, timeout));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        // Answered: drop the timer now rather than keep it (and the result) queued for the whole timeout.
        future.whenComplete((result, error) -> {
            timer.cancel(false);
            if (result != null) {
                meters.received(type, result.getOutcome(), sentAt);
            }
        });
        if (!awaitReading(timeout)) {
            if (pending.remove(key, future)) {
                fail(future, new IllegalStateException("the gateway's result reader did not start within " + timeout));
            }
            return future;
        }
        producer.send(new ProducerRecord<>(topics.commands(), partition, aggregateId.getBytes(StandardCharsets.UTF_8), value, headers),
                (metadata, error) -> {
                    if (error != null && pending.remove(key, future)) {
                        fail(future, error);
                    }
                });
        meters.sent(type);
        return future;
    }

    /**
     * Sends a command and, once it is accepted (or changed nothing), reads the aggregate's state at
     * the result's version from a worker's HTTP API: Commanded's dispatch asked to return the
     * aggregate state. The state read waits up to the options' timeout, after the result.
     *
     * <pre>{@code
     * ResultWithState answer = gateway.sendAndRead("ex_accounts", "a1", new Deposit(10L), SendOptions.defaults(), states).get();
     * long balance = ((AccountState) answer.state().state()).getBalance();
     * }</pre>
     *
     * <p>It is {@link #send} followed by {@link AggregateStates#at}; a refused command answers with
     * its result and a null state. Fails with {@link CommandTimeoutException} or {@link AggregateReadException}.
     */
    public CompletableFuture<ResultWithState> sendAndRead(String type, String aggregateId, SpecificRecord command,
                                                          SendOptions options, AggregateStates states) {
        return send(type, aggregateId, command, options).thenCompose(result -> {
            Outcome outcome = result.getOutcome();
            if (outcome != Outcome.ACCEPTED && outcome != Outcome.NO_CHANGE) {
                return CompletableFuture.completedFuture(new ResultWithState(result, null));
            }
            return states.at(type, aggregateId, result.getVersion(), bounded(options.timeout()))
                    .thenApply(view -> new ResultWithState(result, view));
        });
    }

    /**
     * Whether the result reader follows the results topics now; it sleeps once no call has waited for
     * 10 s and wakes with the next call (for health checks and tests).
     */
    public boolean isReading() {
        synchronized (listening) {
            return reading;
        }
    }

    /** The longest a call of this gateway waits for its result. */
    public Duration maxTimeout() {
        return maxTimeout;
    }

    /** The timeout a call gets: what it asked for, at most {@link #maxTimeout()}. */
    public Duration bounded(Duration requested) {
        return requested.compareTo(maxTimeout) > 0 ? maxTimeout : requested;
    }

    private static String replyKey(String resultsTopic, String aggregateId, String commandId) {
        return resultsTopic + '\u0000' + aggregateId + '\u0000' + commandId;
    }

    /** Wakes the reader if it sleeps, and waits until it reads from the end of the results topics. */
    private boolean awaitReading(Duration timeout) {
        synchronized (listening) {
            if (reading) {
                return true;
            }
            wanted = true;
            listening.notifyAll();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reading && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    listening.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return reading;
        }
    }

    /** Sleeps until a command wants results, then moves to the end of the results topics. */
    private void sleepUntilWanted() throws InterruptedException {
        synchronized (listening) {
            while (!wanted && !closed) {
                listening.wait();
            }
        }
        if (closed) {
            return;
        }
        replies.seekToEnd(resultPartitions);
        // Resolved now: a result sent from here on is seen, and a new consumer would resume here.
        resultPartitions.forEach(partition -> positions.put(partition, replies.position(partition)));
        synchronized (listening) {
            reading = true;
            wanted = false;
            listening.notifyAll();
        }
    }

    /** Stops reading when no command has waited for a while; true when it did. */
    private boolean maybeSleep(long lastBusy) {
        if (System.nanoTime() - lastBusy < IDLE_AFTER_NANOS) {
            return false;
        }
        synchronized (listening) {
            // Checked under the lock a sender takes too, so no command slips in unheard.
            if (!pending.isEmpty()) {
                return false;
            }
            reading = false;
            return true;
        }
    }

    /**
     * Reads results until the gateway closes. A failure never ends it: it is logged (rate-limited),
     * waited out with backoff, and after {@value #RECREATE_AFTER_FAILURES} in a row the consumer is
     * replaced by one that resumes where this one stopped.
     */
    private void readReplies() {
        long lastBusy = System.nanoTime();
        int failures = 0;
        while (!closed) {
            try {
                if (!reading) {
                    sleepUntilWanted();
                    lastBusy = System.nanoTime();
                    failures = 0;
                    continue;
                }
                if (!pending.isEmpty()) {
                    lastBusy = System.nanoTime();
                } else if (maybeSleep(lastBusy)) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
                    positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    route(record);
                }
                if (failures > 0) {
                    LOG.info("the gateway's result reader reads again after {} failures", failures);
                    readerLog.reset();
                }
                failures = 0;
            } catch (WakeupException e) {
                // close() wakes the consumer; anything else that woke it is not a reason to stop.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failures++;
                if (readerLog.admit() >= 0) {
                    LOG.warn("the gateway's result reader failed ({} in a row); it retries{}", failures,
                            failures >= RECREATE_AFTER_FAILURES ? " with a new consumer" : "", e);
                }
                if (!backOff(failures)) {
                    return;
                }
                if (failures % RECREATE_AFTER_FAILURES == 0) {
                    try {
                        recreateConsumer();
                    } catch (RuntimeException again) {
                        LOG.debug("could not create a new result consumer yet", again);
                    }
                }
            }
        }
    }

    /**
     * Completes the future a result is for, if this gateway waits for it. A record it cannot read (no
     * key, no command id, bytes that are not a result) is skipped: the call keeps waiting for its
     * real result, until its timeout.
     */
    private void route(ConsumerRecord<byte[], byte[]> record) {
        Header id = record.headers().lastHeader(ContractHeaders.COMMAND_ID);
        if (id == null || id.value() == null || record.key() == null) {
            return;
        }
        String key = replyKey(record.topic(), new String(record.key(), StandardCharsets.UTF_8),
                new String(id.value(), StandardCharsets.UTF_8));
        if (!pending.containsKey(key)) {
            return;
        }
        CommandResult result;
        try {
            result = codec.decode(record.value(), CommandResult.class);
        } catch (WireFormatException e) {
            if (readerLog.admit() >= 0) {
                LOG.warn("the gateway skipped an unreadable result at {}/{}/{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
            return;
        } catch (RuntimeException e) {
            // The registry could not say what the result's schema is: the caller hears why now.
            CompletableFuture<CommandResult> future = pending.remove(key);
            if (future != null) {
                fail(future, e);
            }
            return;
        }
        CompletableFuture<CommandResult> future = pending.remove(key);
        if (future != null) {
            onCallbackThread(() -> future.complete(result));
        }
    }

    /** Waits before the next attempt: 100 ms doubling to 5 s. False when interrupted or closed. */
    private boolean backOff(int failures) {
        long millis = Math.min(MAX_READER_BACKOFF.toMillis(), 100L << Math.min(failures - 1, 10));
        synchronized (listening) {
            try {
                // Backoff after a failed call to the broker, not synchronization; close() ends it early.
                if (!closed) {
                    listening.wait(millis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !closed;
    }

    /** A new consumer at the positions the old one had read up to (the end, for partitions it had not read yet). */
    private void recreateConsumer() {
        KafkaConsumer<byte[], byte[]> old = replies;
        try {
            old.close(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOG.debug("closing the failed result consumer", e);
        }
        KafkaConsumer<byte[], byte[]> fresh = new KafkaConsumer<>(consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        fresh.assign(resultPartitions);
        List<TopicPartition> unread = new ArrayList<>();
        for (TopicPartition partition : resultPartitions) {
            Long position = positions.get(partition);
            if (position == null) {
                unread.add(partition);
            } else {
                fresh.seek(partition, position);
            }
        }
        if (!unread.isEmpty()) {
            fresh.seekToEnd(unread);
        }
        replies = fresh;
    }

    private void fail(CompletableFuture<CommandResult> future, Throwable cause) {
        onCallbackThread(() -> future.completeExceptionally(cause));
    }

    private void onCallbackThread(Runnable completion) {
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException closing) {
            completion.run();
        }
    }

    private void failAll(Throwable cause) {
        pending.keySet().forEach(key -> {
            CompletableFuture<CommandResult> future = pending.remove(key);
            if (future != null) {
                fail(future, cause);
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (listening) {
            listening.notifyAll();
        }
        replies.wakeup();
        try {
            replyLoop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replies.close();
        producer.close(Duration.ofSeconds(5));
        timeouts.shutdownNow();
        failAll(new IllegalStateException("the gateway was closed before the result arrived"));
        callbacks.shutdown();
    }
}
