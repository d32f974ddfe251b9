package foldstream.it;

import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Commands sent the way any producer of the contract sends them: a plain idempotent Kafka producer,
 * the aggregate id as key, the value in the wire format under the topic-record-name subject, the
 * command id in a header. {@link #start} sends a list of them at a steady pace from a thread of its
 * own, so that workers can be started, stopped and killed while commands keep coming.
 *
 * <pre>{@code
 * try (SteadyLoad load = SteadyLoad.start(bootstrap, codec, "ex_counters-commands", commands, 40, Duration.ofMillis(50))) {
 *     load.done().get(2, TimeUnit.MINUTES);
 * }
 * }</pre>
 */
final class SteadyLoad implements AutoCloseable {

    /** One command: its id (the command-id header), the aggregate it is for, the record. */
    record Command(String id, String aggregateId, SpecificRecord body) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final AvroWireCodec codec;
    private final String topic;
    private final List<Command> commands;
    private final int perTick;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "steady-load");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private SteadyLoad(String bootstrapServers, AvroWireCodec codec, String topic, List<Command> commands, int perTick) {
        this.producer = producer(bootstrapServers);
        this.codec = codec;
        this.topic = topic;
        this.commands = List.copyOf(commands);
        this.perTick = perTick;
    }

    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    /** The record as a producer of the contract writes it. */
    static ProducerRecord<String, byte[]> record(AvroWireCodec codec, String topic, Command command) {
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, command.body().getSchema()), command.body());
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(command.id()));
        return new ProducerRecord<>(topic, null, command.aggregateId(), value, headers);
    }

    /** Sends {@code perTick} commands every {@code tick}, in list order (so in order per aggregate), until all are sent. */
    static SteadyLoad start(String bootstrapServers, AvroWireCodec codec, String topic, List<Command> commands,
                            int perTick, Duration tick) {
        SteadyLoad load = new SteadyLoad(bootstrapServers, codec, topic, commands, perTick);
        load.ticks.scheduleAtFixedRate(load::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        return load;
    }

    private void tick() {
        try {
            for (int i = 0; i < perTick && next.get() < commands.size(); i++) {
                Command command = commands.get(next.getAndIncrement());
                producer.send(record(codec, topic, command), (metadata, error) -> {
                    if (error != null) {
                        done.completeExceptionally(new AssertionError("command " + command.id() + " was not sent", error));
                    } else if (acknowledged.incrementAndGet() == commands.size()) {
                        done.complete(null);
                    }
                });
            }
            if (next.get() >= commands.size()) {
                producer.flush();
                ticks.shutdown();
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            ticks.shutdown();
        }
    }

    /** Commands handed to the producer so far. */
    int sent() {
        return next.get();
    }

    /** Completes once the broker acknowledged every command; exceptionally if one could not be sent. */
    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        try {
            ticks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
