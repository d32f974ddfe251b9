package foldstream.ops.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.http.PlainJson;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * one decoded with its headers (as text, or as one JSON object per line), and lets a caller wait
 * for the result of a command. Reads with {@code read_committed}, as downstream consumers of an
 * exactly-once worker should. The demo and {@code foldstream tail} print with it.
 *
 * <pre>{@code
 * try (TopicTail tail = new TopicTail(bootstrap, types, codec, out)) {
 *     tail.start();
 *     sender.send(step);
 *     CommandResult result = tail.awaitResult(step.commandId(), 1, Duration.ofSeconds(30));
 * }
 * try (TopicTail tail = new TopicTail(bootstrap, List.of(type), codec, out,
 *         new TopicTail.Options(Set.of(TopicTail.Kind.EVENTS), true, true, 10, false))) {
 *     tail.start();
 *     tail.awaitPrinted(10, Duration.ofSeconds(30));   // the first 10 events, as JSON lines
 * }
 * }</pre>
 */
public final class TopicTail implements AutoCloseable {

    /** The topics of a type a tail can read. */
    public enum Kind { EVENTS, DLQ, RESULTS }

    /**
     * What a tail reads and how it prints.
     *
     * @param kinds which topics of each type
     * @param fromBeginning from the topics' beginning rather than their current end
     * @param json one JSON object per record and line, rather than text for people
     * @param limit stop after printing this many records; 0 for no limit
     * @param trackCommands remember each command's results and events, for {@link #awaitResult} and
     *     {@link #awaitEvents}; off for a tail that runs for long
     */
    public record Options(Set<Kind> kinds, boolean fromBeginning, boolean json, long limit, boolean trackCommands) {
        public Options {
            kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative, was " + limit);
            }
        }

        /** The demo's: every topic, from the end, as text, remembering commands. */
        public static Options demo() {
            return new Options(EnumSet.allOf(Kind.class), false, false, 0, true);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics = new ArrayList<>();
    private final Map<String, Class<? extends SpecificRecord>> eventTypes = new HashMap<>();
    private final AvroWireCodec codec;
    private final PrintWriter out;
    private final Thread poller;

    private final Object seen = new Object();
    private final Map<String, List<CommandResult>> results = new HashMap<>();
    private final Map<String, Integer> events = new HashMap<>();
    private final Options options;
    private long printed;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** The demo's tail: every topic of the types, from the end, as text. */
    public TopicTail(String bootstrapServers, List<? extends AggregateType<?>> types, AvroWireCodec codec, PrintWriter out) {
        this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), types, codec, out, Options.demo());
    }

    /** @param kafka consumer settings: at least {@code bootstrap.servers}, and any security settings */
    public TopicTail(Map<String, Object> kafka, List<? extends AggregateType<?>> types, AvroWireCodec codec, PrintWriter out,
                     Options options) {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, options.trackCommands() ? "foldstream-demo-tail" : "foldstream-tail");
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
        this.options = options;
        for (AggregateType<?> type : types) {
            AggregateTopics named = AggregateTopics.of(type.name());
            if (options.kinds().contains(Kind.EVENTS)) {
                topics.add(named.events());
            }
            if (options.kinds().contains(Kind.DLQ)) {
                topics.add(named.dlq());
            }
            if (options.kinds().contains(Kind.RESULTS)) {
                topics.add(named.results());
            }
            for (Class<? extends SpecificRecord> event : type.events()) {
                eventTypes.put(SpecificData.get().getSchema(event).getFullName(), event);
            }
        }
        this.codec = codec;
        this.out = out;
        this.poller = new Thread(this::poll, "foldstream-demo-tail");
        this.poller.setDaemon(true);
    }

    /**
     * Starts reading every partition of the topics from their current end (or their beginning);
     * they must exist. Once this returns, every record committed from now on will be printed.
     */
    public void start() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        // No consumer group: nothing to rebalance, nothing committed. position() fixes the start
        // now, before the first command is sent.
        consumer.assign(partitions);
        if (options.fromBeginning()) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(partition -> consumer.position(partition, Duration.ofSeconds(30)));
        poller.start();
    }

    /**
     * Waits until {@code count} records have been printed.
     *
     * @return true when they have; false when the timeout passed first, or the tail stopped reading
     *     (see {@link #failure})
     */
    public boolean awaitPrinted(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (printed < count) {
                long left = deadline - System.nanoTime();
                if (failure != null || left <= 0) {
                    return false;
                }
                seen.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** How many records have been printed so far. */
    public long printed() {
        synchronized (seen) {
            return printed;
        }
    }

    /** Why the tail stopped reading, if it did. */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
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
                    boolean enough;
                    synchronized (seen) {
                        printed++;
                        enough = options.limit() > 0 && printed >= options.limit();
                        seen.notifyAll();
                    }
                    if (enough) {
                        running = false;
                        break;
                    }
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
        if (options.json()) {
            printJson(record);
            out.flush();
            return;
        }
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
            out.println("           " + headers(record));
            remember(result);
        }
        out.flush();
    }

    /**
     * {@code {"kind":"event","topic":...,"partition":0,"offset":5,"timestamp":...,"key":"a1",
     * "headers":{"command-id":...},"record":"foldstream.examples.accounts.MoneyDeposited","value":{...}}};
     * the value in plain JSON (PlainJson). An unreadable value has {@code "value":null} and an
     * {@code "error"}; a dead letter's raw value is {@code "valueBase64"}.
     */
    private void printJson(ConsumerRecord<String, byte[]> record) {
        ObjectNode line = JSON.createObjectNode();
        String kind = record.topic().endsWith("-events") ? "event" : record.topic().endsWith("-dlq") ? "dlq" : "result";
        line.put("kind", kind).put("topic", record.topic()).put("partition", record.partition()).put("offset", record.offset())
                .put("timestamp", record.timestamp()).put("key", record.key());
        ObjectNode headers = line.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        String commandId = ContractHeaders.text(record.headers(), ContractHeaders.COMMAND_ID);
        if (kind.equals("event")) {
            Decoded decoded = codec.decode(record.value(), eventTypes);
            if (decoded instanceof Decoded.Record event) {
                line.put("record", event.record().getSchema().getFullName());
                line.set("value", PlainJson.write(event.record()));
            } else {
                line.putNull("record");
                line.putNull("value");
                line.put("error", decoded.toString());
            }
            count(events, commandId);
        } else if (kind.equals("dlq")) {
            line.putNull("record");
            line.put("valueBase64", record.value() == null ? null : Base64.getEncoder().encodeToString(record.value()));
        } else {
            CommandResult result = codec.decode(record.value(), CommandResult.class);
            line.put("record", result.getSchema().getFullName());
            line.set("value", PlainJson.write(result));
            remember(result);
        }
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a record as JSON", e);
        }
    }

    private void remember(CommandResult result) {
        if (!options.trackCommands()) {
            return;
        }
        synchronized (seen) {
            results.computeIfAbsent(result.getCommandId(), id -> new ArrayList<>()).add(result);
            seen.notifyAll();
        }
    }

    private void count(Map<String, Integer> counts, String commandId) {
        if (!options.trackCommands()) {
            return;
        }
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
