package foldstream.worker.projection.runtime;

import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.StateDirectoryCluster;
import foldstream.worker.serialization.AvroWireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one embedded projection: a Kafka Streams application of its own, with application id
 * {@code <worker application id>-projection-<name>-v<version>}, under {@code exactly_once_v2}.
 * Its own application (rather than more processors in the worker's) gives each projection version
 * its own consumer group, stores and changelogs: a new version rebuilds from the first event while
 * the old one keeps serving, a projection restarts or lags without touching the command side, and
 * a projection process can run apart from the command workers.
 *
 * <pre>{@code
 * EmbeddedProjectionRunner<UserEntry> runner = new EmbeddedProjectionRunner<>(directory, runtime);
 * runner.start();
 * ... runner.queries().lookup("ann@example.com", Optional.empty()) ...
 * runner.close(Duration.ofSeconds(30));
 * }</pre>
 */
public final class EmbeddedProjectionRunner<S> implements AutoCloseable {

    /** The store of states per key (JSON), its changelog {@code <application id>-states-changelog}. */
    public static final String STATES_STORE = ProjectionApplier.STATES;
    /** The store of each aggregate's progress per key ({@code key\0type/id}): read-your-writes asks it. */
    public static final String APPLIED_STORE = ProjectionApplier.APPLIED;
    /** The store of each aggregate's last version seen, on the partitions of {@code S-events}. */
    public static final String VERSIONS_STORE = ProjectionRouter.VERSIONS;
    /** The store of an event waiting for its retry, its failed attempts, and the records held behind it. */
    public static final String RETRIES_STORE = ProjectionApplier.RETRIES;

    /**
     * How often a projection commits unless the worker's Kafka Streams settings say
     * ({@code commit.interval.ms}): its states become visible to queries at most this late.
     */
    public static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedProjectionRunner.class);

    private final EmbeddedProjection<S> projection;
    private final ProjectionRuntime runtime;
    private final int generation;
    private final String applicationId;
    private final KafkaStreams streams;
    private final Map<String, Object> config;
    private final EmbeddedProjectionQueries queries;
    private final StreamsApplicationWatch watch;

    public EmbeddedProjectionRunner(EmbeddedProjection<S> projection, ProjectionRuntime runtime) {
        this(projection, runtime, 1);
    }

    /** Generation 1 is the projection version as it always was; a blue/green reset asks for the next (see {@link ProjectionGenerations}). */
    public EmbeddedProjectionRunner(EmbeddedProjection<S> projection, ProjectionRuntime runtime, int generation) {
        this.projection = projection;
        this.runtime = runtime;
        this.generation = generation;
        this.applicationId = ProjectionGenerations.applicationId(runtime.workerApplicationId(), projection.name(), projection.version(),
                generation);
        Map<String, Object> config = new HashMap<>(runtime.streamsConfig());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        // A commit under exactly-once (flush, offsets into the transaction, its end) waits on several broker round trips; at
        // Kafka Streams' 100 ms it took most of the stream thread's time in catch-up. A worker's own interval still applies.
        config.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
        // The worker's own client id, if set, names this application's clients too, told apart by the projection.
        config.computeIfPresent(StreamsConfig.CLIENT_ID_CONFIG, (key, clientId) -> clientId + "-" + projection.id()
                + (generation == 1 ? "" : "-g" + generation));
        this.config = Map.copyOf(config);
        StateDirectoryCluster.claim(config);
        this.streams = new KafkaStreams(topology(projection, runtime.reader(projection), dlqTopic(), stateTopic()), new StreamsConfig(config));
        this.watch = StreamsApplicationWatch.of("projection " + projection.name(), streams);
        streams.setStateListener((now, before) -> {
            LOG.info("projection {}: {} -> {}", applicationId, before, now);
            watch.stateChanged(now);
        });
        streams.setUncaughtExceptionHandler(error -> {
            watch.threadFailed(error);
            LOG.error("a stream thread of projection {} failed; replacing it, its uncommitted records will be processed again",
                    applicationId, error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.queries = new EmbeddedProjectionQueries(projection, streams, runtime.self(), generation);
    }

    /** {@code <worker application id>-projection-<name>-v<version>}: generation 1's. */
    public static String applicationId(String workerApplicationId, String name, int version) {
        return ProjectionGenerations.applicationId(workerApplicationId, name, version, 1);
    }

    /** The topics Kafka Streams makes for an application id of a projection: its stores' changelogs and its repartition topic. */
    public static List<String> internalTopics(String applicationId) {
        return List.of(applicationId + "-" + VERSIONS_STORE + "-changelog", applicationId + "-" + STATES_STORE + "-changelog",
                applicationId + "-" + APPLIED_STORE + "-changelog", applicationId + "-" + RETRIES_STORE + "-changelog",
                repartitionTopic(applicationId));
    }

    /** Where a projection keyed otherwise than by aggregate sends its events on to their key's partition. */
    public static String repartitionTopic(String applicationId) {
        return applicationId + "-by-key-repartition";
    }

    public int generation() {
        return generation;
    }

    /** Where parked events go, with {@code retryThenPark}: {@code <application id>-dlq}. */
    public String dlqTopic() {
        return applicationId + "-dlq";
    }

    /** Where a publishing projection's states go (compacted): {@code <application id>-state}. */
    public String stateTopic() {
        return applicationId + "-state";
    }

    public String applicationId() {
        return applicationId;
    }

    public EmbeddedProjection<S> projection() {
        return projection;
    }

    /**
     * The topology: events of every followed type through the router (versions), repartitioned by
     * the projection key when the projection declares one, into the applier (states), and parked
     * events to the dead-letter topic, published states to the state topic.
     */
    public static <S> Topology topology(EmbeddedProjection<S> projection, AvroWireCodec codec, EventUpcaster upcaster, String dlqTopic,
                                        String stateTopic) {
        return topology(projection, new ProjectionEventReader(projection, codec, upcaster), dlqTopic, stateTopic);
    }

    private static <S> Topology topology(EmbeddedProjection<S> projection, ProjectionEventReader reader, String dlqTopic,
                                         String stateTopic) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ProjectionRouter.VERSIONS),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ProjectionApplier.STATES),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ProjectionApplier.APPLIED),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ProjectionApplier.RETRIES),
                Serdes.Long(), Serdes.ByteArray()));
        List<String> topics = projection.follows().stream().map(type -> AggregateTopics.of(type).events()).toList();
        StateJson json = new StateJson();
        KStream<byte[], byte[]> steps = builder.stream(topics, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new ProjectionRouter<>(projection, reader), ProjectionRouter.VERSIONS);
        if (projection.keyedOtherwise()) {
            steps = steps.repartition(Repartitioned.<byte[], byte[]>as("by-key")
                    .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray()));
        }
        KStream<byte[], byte[]> outputs = steps.process(() -> new ProjectionApplier<>(projection, reader, json),
                ProjectionApplier.STATES, ProjectionApplier.APPLIED, ProjectionApplier.RETRIES);
        if (projection.errorPolicy() instanceof ErrorPolicy.RetryThenPark || projection.publishes()) {
            outputs.to((key, value, context) -> ProjectionSteps.OUTPUT_STATE.equals(ContractHeaders.text(context.headers(), ProjectionSteps.OUTPUT))
                    ? stateTopic : dlqTopic, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        }
        return builder.build();
    }

    public void start() {
        if (projection.errorPolicy() instanceof ErrorPolicy.RetryThenPark) {
            ProjectionTopics.ensure(runtime, dlqTopic(), Map.of());
        }
        if (projection.publishes()) {
            ProjectionTopics.ensure(runtime, stateTopic(), Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        streams.start();
        LOG.info("projection {} started on {}", applicationId, projection.follows());
    }

    /** What the worker's health and readiness see of this projection's application. */
    public StreamsApplicationWatch.View view() {
        return watch.view();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public EmbeddedProjectionQueries queries() {
        return queries;
    }

    public boolean close(Duration timeout) {
        return streams.close(CloseOptions.timeout(timeout).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    /** After {@link #close}: deletes this application's local state directory, for a generation that is gone for good. */
    void deleteLocalState() {
        streams.cleanUp();
        // cleanUp() leaves the application's directory itself (its process file, lock files) behind.
        Path directory = Path.of(new StreamsConfig(config).getString(StreamsConfig.STATE_DIR_CONFIG), applicationId);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("could not delete {} of replaced projection generation {}: {}", directory, applicationId, e.toString());
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
