package foldstream.worker.gateway;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
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
 * <p>Futures complete on the gateway's own callback threads, never on the thread that reads the
 * results: a callback may send another command and wait for its result without stalling the others.
 */
public final class CommandGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);

    private final AvroWireCodec codec;
    private final Set<String> types;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> replies;
    private final Map<String, CompletableFuture<CommandResult>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timeouts;
    private final ExecutorService callbacks;
    private final Thread replyLoop;
    private volatile boolean closed;

    /**
     * Connects and positions the reply consumer at the end of each type's results topic, so every
     * result of a command sent after this returns is seen.
     *
     * @param kafka client settings: at least {@code bootstrap.servers}; any producer or consumer setting
     * @param types the stream names of the aggregate types this gateway sends to
     */
    public CommandGateway(Map<String, Object> kafka, AvroWireCodec codec, Collection<String> types) {
        this.codec = codec;
        this.types = Set.copyOf(types);
        String clientId = "foldstream-gateway-" + UUID.randomUUID();

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
            replies.seekToEnd(partitions);
            partitions.forEach(replies::position); // resolve now: a result sent from here on is seen
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

        String key = replyKey(topics.results(), aggregateId, options.commandId());
        CompletableFuture<CommandResult> future = pending.computeIfAbsent(key, k -> new CompletableFuture<>());
        ScheduledFuture<?> timer = timeouts.schedule(() -> {
            if (pending.remove(key, future)) {
                fail(future, new CommandTimeoutException(type, aggregateId, options.commandId(), options.timeout()));
            }
        }, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        // Answered: drop the timer now rather than keep it (and the result) queued for the whole timeout.
        future.whenComplete((result, error) -> timer.cancel(false));
        producer.send(new ProducerRecord<>(topics.commands(), null, aggregateId.getBytes(StandardCharsets.UTF_8), value, headers),
                (metadata, error) -> {
                    if (error != null && pending.remove(key, future)) {
                        fail(future, error);
                    }
                });
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
            return states.at(type, aggregateId, result.getVersion(), options.timeout())
                    .thenApply(view -> new ResultWithState(result, view));
        });
    }

    private static String replyKey(String resultsTopic, String aggregateId, String commandId) {
        return resultsTopic + '\u0000' + aggregateId + '\u0000' + commandId;
    }

    private void readReplies() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(Duration.ofMillis(200))) {
                    Header id = record.headers().lastHeader(ContractHeaders.COMMAND_ID);
                    if (id == null || record.key() == null) {
                        continue;
                    }
                    String key = replyKey(record.topic(), new String(record.key(), StandardCharsets.UTF_8),
                            new String(id.value(), StandardCharsets.UTF_8));
                    CompletableFuture<CommandResult> future = pending.remove(key);
                    if (future != null) {
                        complete(future, record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("the gateway's reply consumer stopped", e);
            failAll(e);
        }
    }

    /** Decodes and completes on a callback thread: the reply loop goes straight back to reading. */
    private void complete(CompletableFuture<CommandResult> future, byte[] value) {
        onCallbackThread(() -> {
            try {
                future.complete(codec.decode(value, CommandResult.class));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
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
