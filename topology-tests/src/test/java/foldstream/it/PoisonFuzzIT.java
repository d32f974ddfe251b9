package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.Increment;
import foldstream.examples.users.RegisterUser;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten thousand random and mutated records (random bytes, truncated and bit-flipped commands, huge
 * declared lengths, huge and invalid headers and keys, keyless records, timestamps far ahead and
 * from 1970) interleaved with two thousand valid commands and their retries, on a real broker:
 * every record gets exactly one result, on the partition it came from; every MALFORMED one is in
 * the DLQ; the valid commands keep their exactly-once invariants; the worker never stops.
 *
 * <p>Negative timestamps cannot be sent with Kafka's Java producer (it refuses them); the
 * {@code HostileClockTest} topology test covers them.
 */
@ExtendWith(KafkaStackPerClass.class)
class PoisonFuzzIT {

    private static final int HOSTILE = 10_000;
    private static final int VALID = 2_000;
    private static final int PARTITIONS = 3;
    private static final AggregateType<?> COUNTERS = ExampleTypes.all().stream().filter(t -> t.name().equals("ex_counters")).findFirst().orElseThrow();
    private static final AggregateType<?> USERS = ExampleTypes.all().stream().filter(t -> t.name().equals("ex_users")).findFirst().orElseThrow();

    /** One record sent, and what it must come to. */
    record Sent(String kind, String topic, String commandId, boolean mustBeMalformed, Future<RecordMetadata> metadata) {
    }

    @Test
    void everyRecordGetsOneResultAndTheWorkerNeverStops(KafkaStack.Endpoints stack) throws Exception {
        Random random = new Random(11);
        try (InProcessWorker worker = InProcessWorker.with(stack, "it-poison", List.of(COUNTERS, USERS)).partitions(PARTITIONS).start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                     ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            AvroWireCodec codec = worker.codec();
            byte[] increment = encode(codec, "ex_counters-commands", new Increment(3));
            byte[] register = encode(codec, "ex_users-commands", new RegisterUser("ann@example.com", "Annabelle Lee"));

            List<Sent> sent = new ArrayList<>();
            List<String> validSends = new ArrayList<>();
            Map<String, String> counterOf = new HashMap<>();
            int valid = 0;
            for (int i = 0; i < HOSTILE + VALID; i++) {
                if (valid < VALID && random.nextInt(HOSTILE + VALID) < VALID) {
                    // A valid command, now and then sent again with the same id (a retry).
                    String id = random.nextInt(20) == 0 && !validSends.isEmpty() ? validSends.get(random.nextInt(validSends.size())) : "v-cmd-" + valid;
                    String counter = counterOf.computeIfAbsent(id, first -> "v-" + random.nextInt(200));
                    validSends.add(id);
                    sent.add(send(producer, "valid", "ex_counters-commands", null, counter.getBytes(StandardCharsets.UTF_8),
                            encode(codec, "ex_counters-commands", new Increment(1 + random.nextInt(9))), id, null, false));
                    valid++;
                } else {
                    sent.add(hostile(producer, random, i, increment, register));
                }
            }
            producer.flush();
            long produced = System.nanoTime();
            Map<String, Sent> bySource = new HashMap<>();
            for (Sent s : sent) {
                RecordMetadata where = s.metadata().get();
                bySource.put(s.topic() + "/" + where.partition() + "/" + where.offset(), s);
            }

            try (CommittedTopic.Tail counters = CommittedTopic.follow(stack.bootstrapServers(), "ex_counters-results", r -> true);
                 CommittedTopic.Tail users = CommittedTopic.follow(stack.bootstrapServers(), "ex_users-results", r -> true)) {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(worker.failures()).isEmpty();
                    assertThat(counters.counted() + users.counted()).isEqualTo(sent.size());
                });
            }
            System.out.printf("PoisonFuzzIT: %d records answered %d ms after the last was produced%n", sent.size(),
                    (System.nanoTime() - produced) / 1_000_000);
            assertThat(worker.failures()).isEmpty();
            assertThat(worker.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            // RecentEvents learns of commits from this metric, found by the name of the thread that runs the processor.
            java.util.Set<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(java.util.stream.Collectors.toSet());
            assertThat(worker.streams().metrics().entrySet()).anySatisfy(metric -> {
                assertThat(metric.getKey().name()).isEqualTo("commit-total");
                assertThat(metric.getKey().group()).isEqualTo("stream-thread-metrics");
                assertThat(threads).contains(metric.getKey().tags().get("thread-id"));
                assertThat(((Number) metric.getValue().metricValue()).longValue()).isPositive();
            });

            List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>(InProcessWorker.readCommitted(stack, "ex_counters-results"));
            results.addAll(InProcessWorker.readCommitted(stack, "ex_users-results"));
            List<ConsumerRecord<byte[], byte[]>> dlq = new ArrayList<>(InProcessWorker.readCommitted(stack, "ex_counters-dlq"));
            dlq.addAll(InProcessWorker.readCommitted(stack, "ex_users-dlq"));
            assertThat(results).hasSize(sent.size());

            // Every record's result, found by its command id or, without a readable one, by its place.
            Map<String, List<ConsumerRecord<byte[], byte[]>>> resultsById = new HashMap<>();
            int malformed = 0;
            for (ConsumerRecord<byte[], byte[]> record : results) {
                CommandResult result = codec.decode(record.value(), CommandResult.class);
                resultsById.computeIfAbsent(result.getCommandId(), id -> new ArrayList<>()).add(record);
                if (result.getOutcome() == Outcome.MALFORMED) {
                    malformed++;
                }
            }
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Sent> entry : bySource.entrySet()) {
                Sent s = entry.getValue();
                if (s.kind().equals("valid")) {
                    continue;
                }
                String id = s.commandId() == null ? entry.getKey() : s.commandId();
                List<ConsumerRecord<byte[], byte[]>> found = resultsById.getOrDefault(id, List.of());
                if (found.size() != 1) {
                    problems.add(s.kind() + " at " + entry.getKey() + " has " + found.size() + " results");
                    continue;
                }
                ConsumerRecord<byte[], byte[]> record = found.get(0);
                CommandResult result = codec.decode(record.value(), CommandResult.class);
                int partition = Integer.parseInt(entry.getKey().split("/")[1]);
                if (record.partition() != partition) {
                    problems.add(s.kind() + " from partition " + partition + " answered on partition " + record.partition());
                }
                if (s.mustBeMalformed() && result.getOutcome() != Outcome.MALFORMED) {
                    problems.add(s.kind() + " at " + entry.getKey() + " is " + result.getOutcome() + ": " + result.getMessage());
                }
            }
            assertThat(problems).isEmpty();

            assertThat(dlq).hasSize(malformed);
            for (ConsumerRecord<byte[], byte[]> letter : dlq) {
                String source = ContractHeaders.text(letter.headers(), ContractHeaders.DLQ_SOURCE);
                assertThat(bySource).containsKey(source);
                assertThat(letter.partition()).isEqualTo(Integer.parseInt(source.split("/")[1]));
            }

            List<ConsumerRecord<byte[], byte[]>> ours = results.stream().filter(r -> ExactlyOnceChecks.key(r).startsWith("v-")).toList();
            ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, ours,
                    InProcessWorker.readCommitted(stack, AggregateTopics.of("ex_counters").events()), key -> key.startsWith("v-"));
            checks.assertOneResultPerSend(validSends);
            checks.assertEventsContiguousAndUnique();
            checks.assertEventsAreThoseOfAcceptedResults();
        }
    }

    private static byte[] encode(AvroWireCodec codec, String topic, org.apache.avro.specific.SpecificRecord command) {
        return codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, command.getSchema()), command);
    }

    private static Sent hostile(KafkaProducer<byte[], byte[]> producer, Random random, int i, byte[] increment, byte[] register) {
        String id = "h-" + i;
        byte[] key = ("h-" + random.nextInt(500)).getBytes(StandardCharsets.UTF_8);
        String topic = "ex_counters-commands";
        long now = System.currentTimeMillis();
        return switch (random.nextInt(12)) {
            case 0 -> send(producer, "random bytes", topic, null, key, bytes(random, random.nextInt(64)), id, null, false);
            case 1 -> send(producer, "truncated", topic, null, key, Arrays.copyOf(increment, random.nextInt(increment.length)), id, null, true);
            case 2 -> {
                byte[] flipped = increment.clone();
                int bit = random.nextInt(flipped.length * 8);
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                yield send(producer, "bit-flipped", topic, null, key, flipped, id, null, false);
            }
            case 3 -> {
                // A RegisterUser whose email declares up to 2 GB and ends there.
                byte[] value = Arrays.copyOf(register, 10);
                long zigzag = (long) (1_000_000 + random.nextInt(Integer.MAX_VALUE - 1_000_000)) << 1;
                int at = 5;
                while ((zigzag & ~0x7FL) != 0) {
                    value[at++] = (byte) ((zigzag & 0x7F) | 0x80);
                    zigzag >>>= 7;
                }
                value[at++] = (byte) zigzag;
                yield send(producer, "huge declared length", "ex_users-commands", null, key, Arrays.copyOf(value, at), id, null, true);
            }
            case 4 -> {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, increment,
                        new RecordHeaders().add("trace", bytes(random, 9_000 + random.nextInt(i % 500 == 0 ? 300_000 : 5_000))));
                record.headers().add(ContractHeaders.COMMAND_ID, id.getBytes(StandardCharsets.UTF_8));
                yield new Sent("huge header", topic, id, true, producer.send(record));
            }
            case 5 -> send(producer, "invalid command-id", topic, null, key, increment, null,
                    new byte[] {(byte) 0xff, (byte) 0xfe}, true);
            case 6 -> send(producer, "huge key", topic, null, bytes(random, 1_025 + random.nextInt(i % 500 == 0 ? 200_000 : 3_000)),
                    increment, id, null, true);
            case 7 -> send(producer, "invalid UTF-8 key", topic, null, new byte[] {'h', (byte) 0xc3, (byte) 0x28}, increment, id, null, true);
            case 8 -> send(producer, "keyless", topic, random.nextInt(PARTITIONS), null, increment, id, null, true);
            case 9 -> send(producer, "far-future timestamp", topic, null, key, truncatedOrNot(random, increment), id, null, false,
                    now + Duration.ofMinutes(50).toMillis());
            case 10 -> send(producer, "1970 timestamp", topic, null, key, truncatedOrNot(random, increment), id, null, false, 0L);
            default -> send(producer, "empty value", topic, null, key, new byte[0], id, null, true);
        };
    }

    private static byte[] truncatedOrNot(Random random, byte[] value) {
        return random.nextBoolean() ? value : Arrays.copyOf(value, 5);
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static Sent send(KafkaProducer<byte[], byte[]> producer, String kind, String topic, Integer partition, byte[] key, byte[] value,
                             String id, byte[] rawId, boolean mustBeMalformed) {
        return send(producer, kind, topic, partition, key, value, id, rawId, mustBeMalformed, null);
    }

    private static Sent send(KafkaProducer<byte[], byte[]> producer, String kind, String topic, Integer partition, byte[] key, byte[] value,
                             String id, byte[] rawId, boolean mustBeMalformed, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value, new RecordHeaders());
        record.headers().add(ContractHeaders.COMMAND_ID, rawId != null ? rawId : id.getBytes(StandardCharsets.UTF_8));
        return new Sent(kind, topic, rawId != null ? null : id, mustBeMalformed, producer.send(record));
    }
}
