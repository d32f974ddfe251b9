package foldstream.it;

import static org.awaitility.Awaitility.await;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.FoldstreamTopology;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.worker.runtime.StreamsSettings;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A Foldstream worker running in the test JVM against the real broker and registry: the topology of
 * {@link FoldstreamTopology} in a {@link KafkaStreams} with {@link StreamsSettings#defaults} and
 * test-friendly overrides (its own state directory, commits every 50 ms, little producer linger).
 * Starting it creates the types' topics, opens the schema gate, starts Streams and waits until it is
 * {@code RUNNING}; closing it closes Streams cleanly (committing, leaving the group) and deletes a
 * state directory it made itself.
 *
 * <pre>{@code
 * try (InProcessWorker worker = InProcessWorker.with(stack, "app-1", List.of(type)).partitions(3).start()) {
 *     Snapshot<AccountState> s = worker.snapshot(type, "a1");
 * }
 * }</pre>
 */
final class InProcessWorker implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final String applicationId;
    private final KafkaStreams streams;
    private final HttpSchemaRegistryClient registry;
    private final AvroWireCodec codec;
    private final Path stateDir;
    private final boolean ownStateDir;
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private boolean closed;

    private InProcessWorker(Builder builder) {
        this.applicationId = builder.applicationId;
        createTopics(builder.stack, builder.partitions, builder.types);
        this.registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(builder.stack.registryUrl()));
        try {
            // As a worker starts: every contract schema is checked and registered, then written without auto-registration.
            new SchemaGate(registry).open(List.copyOf(builder.types));
            this.codec = new AvroWireCodec(registry, false);
            this.ownStateDir = builder.stateDir == null;
            this.stateDir = ownStateDir ? Files.createTempDirectory("foldstream-it-state-") : builder.stateDir;

            Properties settings = new Properties();
            settings.putAll(StreamsSettings.defaults(applicationId, builder.stack.bootstrapServers()));
            settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, builder.commitIntervalMs);
            settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, builder.threads);
            settings.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
            settings.putAll(builder.overrides);
            this.streams = new KafkaStreams(FoldstreamTopology.build(builder.types, codec, ProcessingOptions.DEFAULTS,
                    Clock.systemUTC()), settings);
        } catch (IOException e) {
            registry.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        streams.setUncaughtExceptionHandler(error -> {
            failures.add(error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        try {
            awaitRunning();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    static Builder with(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types) {
        return new Builder(stack, applicationId, types);
    }

    /** How a worker is started; {@link #start()} starts it. */
    static final class Builder {
        private final KafkaStack.Endpoints stack;
        private final String applicationId;
        private final List<? extends AggregateType<?>> types;
        private int partitions = 1;
        private int threads = 1;
        private int commitIntervalMs = 50;
        private Path stateDir;
        private final Map<String, Object> overrides = new HashMap<>();

        private Builder(KafkaStack.Endpoints stack, String applicationId, List<? extends AggregateType<?>> types) {
            this.stack = stack;
            this.applicationId = applicationId;
            this.types = types;
        }

        /** Partitions of each topic it creates (all of a type's topics have the same count). */
        Builder partitions(int count) {
            this.partitions = count;
            return this;
        }

        Builder threads(int count) {
            this.threads = count;
            return this;
        }

        Builder commitIntervalMs(int ms) {
            this.commitIntervalMs = ms;
            return this;
        }

        /** A state directory the test owns (and may delete); by default the worker makes and deletes its own. */
        Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Any Kafka Streams setting. */
        Builder set(String name, Object value) {
            overrides.put(name, value);
            return this;
        }

        InProcessWorker start() {
            return new InProcessWorker(this);
        }
    }

    /**
     * Creates the topics of each type, unless they exist: commands, events, results, dead letters and
     * state, all with the same partition count; the events kept forever and never compacted, the
     * state compacted. Waits until the broker describes them.
     */
    static void createTopics(KafkaStack.Endpoints stack, int partitions, List<? extends AggregateType<?>> types) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            List<String> names = new ArrayList<>();
            for (AggregateType<?> type : types) {
                AggregateTopics topics = AggregateTopics.of(type.name());
                for (String name : topics.all(true)) {
                    NewTopic topic = new NewTopic(name, partitions, (short) 1);
                    if (name.equals(topics.events())) {
                        topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                                TopicConfig.RETENTION_MS_CONFIG, "-1"));
                    } else if (name.equals(topics.state())) {
                        topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    try {
                        admin.createTopics(List.of(topic)).all().get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("cannot create " + name, e.getCause());
                        }
                    }
                    names.add(name);
                }
            }
            await("topics described by the broker").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
                return described.values().stream().allMatch(d -> d.partitions().size() == partitions);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitRunning() {
        await(applicationId + " RUNNING").atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!failures.isEmpty()) {
                throw new IllegalStateException("the worker failed while starting", failures.peek());
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the worker stopped while starting: " + streams.state());
            }
            return streams.state() == KafkaStreams.State.RUNNING;
        });
    }

    KafkaStreams streams() {
        return streams;
    }

    /** The worker's codec (shared schema ids with every other client of the registry). */
    AvroWireCodec codec() {
        return codec;
    }

    Path stateDir() {
        return stateDir;
    }

    /** Errors that stopped a stream thread; none in a healthy run. */
    List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** The partitions of a type's commands topic this instance actively processes now. */
    Set<Integer> activePartitions(String typeName) {
        String commands = AggregateTopics.of(typeName).commands();
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task ->
                task.topicPartitions().stream().filter(tp -> tp.topic().equals(commands))
                        .forEach(tp -> partitions.add(tp.partition()))));
        return partitions;
    }

    /**
     * The aggregate's snapshot as this instance's store holds it (interactive query), or null when
     * the store has none; waits while the store is not queryable (rebalancing, restoring).
     */
    <S extends SpecificRecord> Snapshot<S> snapshot(AggregateType<S> type, String id) {
        String storeName = AggregateTopics.of(type.name()).snapshotStore();
        SnapshotCodec envelope = new SnapshotCodec();
        List<Snapshot<S>> found = new ArrayList<>(1);
        await("the store of " + type.name() + " queryable").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreException(InvalidStateStoreException.class).until(() -> {
                    ReadOnlyKeyValueStore<String, byte[]> store = streams.store(
                            StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, byte[]>keyValueStore()));
                    byte[] bytes = store.get(id);
                    found.add(bytes == null ? null : envelope.decode(bytes, codec, type.stateClass()));
                    return true;
                });
        return found.get(0);
    }

    /**
     * Stops cleanly: commits, closes Streams and leaves the group at once, so another instance (or
     * the next one with this application id) gets the partitions without waiting for the session to
     * expire.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)))) {
                throw new IllegalStateException(applicationId + " did not close within 30 s");
            }
        } finally {
            registry.close();
            if (ownStateDir) {
                deleteRecursively(stateDir);
            }
        }
    }

    /** Deletes a directory and everything in it: a lost disk. */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every record of a topic, all partitions, from the beginning up to the end as it is now, as a
     * {@code read_committed} consumer sees them (what downstream consumers see).
     */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(KafkaStack.Endpoints stack, String topic) {
        Map<String, Object> settings = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end + " within 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }
}
