package foldstream.ops.demo;

import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the events, results and dead letters of aggregate types as they are committed, prints each
 * one decoded with its headers, and lets a caller wait for the result of a command. Reads with
 * {@code read_committed}, as downstream consumers of an exactly-once worker should.
 *
 * <pre>{@code
 * try (TopicTail tail = new TopicTail(bootstrap, types, codec, out)) {
 *     tail.start();
 *     sender.send(step);
 *     CommandResult result = tail.awaitResult(step.commandId(), 1, Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics = new ArrayList<>();
    private final Map<String, Class<? extends SpecificRecord>> eventTypes = new HashMap<>();
    private final AvroWireCodec codec;
    private final PrintWriter out;
    private final Thread poller;

    private final Object seen = new Object();
    private final Map<String, List<CommandResult>> results = new HashMap<>();
    private final Map<String, Integer> events = new HashMap<>();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    public TopicTail(String bootstrapServers, List<? extends AggregateType<?>> types, AvroWireCodec codec, PrintWriter out) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "foldstream-demo-tail"),
                new StringDeserializer(), new ByteArrayDeserializer());
        for (AggregateType<?> type : types) {
            AggregateTopics named = AggregateTopics.of(type.name());
            topics.addAll(List.of(named.events(), named.dlq(), named.results()));
            for (Class<? extends SpecificRecord> event : type.events()) {
                eventTypes.put(SpecificData.get().getSchema(event).getFullName(), event);
            }
        }
        this.codec = codec;
        this.out = out;
        this.poller = new Thread(this::poll, "foldstream-demo-tail");
        this.poller.setDaemon(true);
    }

    /** Starts reading every partition of the topics from their current end; they must exist. */
    public void start() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        // No consumer group: nothing to rebalance, nothing committed. Only what lands from now on:
        // position() fixes the end now, before the first command is sent.
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(partition -> consumer.position(partition, Duration.ofSeconds(30)));
        poller.start();
    }

    /**
     * Waits for the {@code occurrence}-th result (1-based) of a command id: a retried command id
     * is answered again.
     */
    public CommandResult awaitResult(String commandId, int occurrence, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (results.getOrDefault(commandId, List.of()).size() < occurrence) {
                waitUntil(deadline, "result " + occurrence + " of command " + commandId);
            }
            return results.get(commandId).get(occurrence - 1);
        }
    }

    /** Waits until {@code count} events caused by the command id have been read. */
    public void awaitEvents(String commandId, int count, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (events.getOrDefault(commandId, 0) < count) {
                waitUntil(deadline, count + " events of command " + commandId);
            }
        }
    }

    private void waitUntil(long deadline, String what) throws InterruptedException, TimeoutException {
        if (failure != null) {
            throw new IllegalStateException("the tail stopped reading: " + failure.getMessage(), failure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("no " + what + " arrived in time");
        }
        seen.wait(Math.max(1, left / 1_000_000));
    }

    private void poll() {
        try {
            while (running) {
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                // Events before dead letters before results, so a command's output reads in order.
                batch.sort(Comparator.comparingInt(record -> rank(record.topic())));
                for (ConsumerRecord<String, byte[]> record : batch) {
                    print(record);
                }
            }
        } catch (WakeupException stopping) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            failure = e;
            out.println("   (the tail stopped reading: " + e + ")");
            out.flush();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            synchronized (seen) {
                seen.notifyAll();
            }
        }
    }

    private static int rank(String topic) {
        return topic.endsWith("-events") ? 0 : topic.endsWith("-dlq") ? 1 : 2;
    }

    private void print(ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + " p" + record.partition() + "@" + record.offset();
        String commandId = ContractHeaders.text(record.headers(), ContractHeaders.COMMAND_ID);
        if (record.topic().endsWith("-events")) {
            Decoded decoded = codec.decode(record.value(), eventTypes);
            String shown = decoded instanceof Decoded.Record event
                    ? event.record().getSchema().getName() + " " + event.record()
                    : decoded.toString();
            out.println("   event   " + where + "  key " + record.key() + "  " + shown);
            out.println("           " + headers(record));
            count(events, commandId);
        } else if (record.topic().endsWith("-dlq")) {
            String raw = record.value() == null ? "no value" : record.value().length + " bytes \""
                    + new String(record.value(), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?") + "\"";
            out.println("   dlq     " + where + "  key " + record.key() + "  " + raw);
            out.println("           " + headers(record));
        } else {
            CommandResult result = codec.decode(record.value(), CommandResult.class);
            out.println("   result  " + where + "  " + describe(result));
            synchronized (seen) {
                results.computeIfAbsent(result.getCommandId(), id -> new ArrayList<>()).add(result);
                seen.notifyAll();
            }
        }
        out.flush();
    }

    private void count(Map<String, Integer> counts, String commandId) {
        synchronized (seen) {
            counts.merge(String.valueOf(commandId), 1, Integer::sum);
            seen.notifyAll();
        }
    }

    /** {@code ACCEPTED version 2, 2 events} or {@code REJECTED version 0: INVALID_NAME the name is too short [name: ...]}. */
    public static String describe(CommandResult result) {
        StringBuilder text = new StringBuilder()
                .append(result.getOutcome()).append(" version ").append(result.getVersion())
                .append(", ").append(result.getEventCount()).append(result.getEventCount() == 1 ? " event" : " events");
        if (result.getErrorCode() != null || result.getMessage() != null) {
            text.append(": ");
            if (result.getErrorCode() != null && !result.getErrorCode().equals(result.getOutcome().name())) {
                text.append(result.getErrorCode()).append(' ');
            }
            text.append(result.getMessage());
        }
        List<FieldViolation> violations = result.getViolations();
        if (!violations.isEmpty()) {
            text.append(violations.stream().map(v -> v.getField() + ": " + v.getMessage())
                    .collect(Collectors.joining("; ", " [", "]")));
        }
        return text.toString();
    }

    private static String headers(ConsumerRecord<String, byte[]> record) {
        return StreamSupport.stream(record.headers().spliterator(), false)
                .map((Header header) -> header.key() + "=" + (header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8)))
                .collect(Collectors.joining("  "));
    }

    @Override
    public void close() {
        running = false;
        if (poller.isAlive()) {
            consumer.wakeup();
            try {
                poller.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (poller.getState() == Thread.State.NEW) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
