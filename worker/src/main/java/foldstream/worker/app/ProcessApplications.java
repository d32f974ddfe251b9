package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessOptions;
import foldstream.worker.process.runtime.ProcessStores;
import foldstream.worker.process.runtime.ProcessTopology;
import foldstream.worker.runtime.StateDirectoryCluster;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process managers a worker runs: one Kafka Streams application each, with the application id
 * {@code <worker application id>-process-<name>} (so every instance of the worker shares each process's
 * instances between them), on the worker's Kafka settings, state directory and HTTP endpoint.
 */
final class ProcessApplications implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessApplications.class);

    private final Map<String, KafkaStreams> streams = new LinkedHashMap<>();
    private final List<StreamsApplicationWatch> watches = new java.util.ArrayList<>();

    /**
     * @param types the registered aggregate types (the followed ones are read with their upcasters)
     * @param workerConfig the worker's Kafka Streams configuration; the application id is replaced
     */
    ProcessApplications(List<ProcessType<?>> processes, List<? extends AggregateType<?>> types, Map<String, Object> workerConfig,
                        String workerApplicationId, AvroWireCodec codec, ProcessOptions options, Clock clock) {
        for (ProcessType<?> process : processes) {
            Map<String, Object> config = new HashMap<>(workerConfig);
            String applicationId = ProcessStores.applicationId(workerApplicationId, process.name());
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
            if (config.get(StreamsConfig.CLIENT_ID_CONFIG) != null) {
                config.put(StreamsConfig.CLIENT_ID_CONFIG, config.get(StreamsConfig.CLIENT_ID_CONFIG) + "-process-" + process.name());
            }
            StateDirectoryCluster.claim(config);
            KafkaStreams created = new KafkaStreams(ProcessTopology.build(process, types, codec, options, clock), new StreamsConfig(config));
            StreamsApplicationWatch watch = StreamsApplicationWatch.of("process " + process.name(), created);
            watches.add(watch);
            created.setStateListener((now, before) -> {
                LOG.info("process {}: {} -> {}", applicationId, before, now);
                watch.stateChanged(now);
            });
            created.setUncaughtExceptionHandler(error -> {
                watch.threadFailed(error);
                LOG.error("a stream thread of process {} failed; replacing it, its uncommitted records will be processed again",
                        applicationId, error);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.put(process.name(), created);
        }
    }

    void start() {
        streams.values().forEach(KafkaStreams::start);
    }

    /** The running application of each process, by process name. */
    Map<String, KafkaStreams> streams() {
        return streams;
    }

    /** What health and readiness see of each process's application. */
    List<StreamsApplicationWatch.View> views() {
        return watches.stream().map(StreamsApplicationWatch::view).toList();
    }

    /** Whether any process's application stopped for good. */
    boolean anyStopped() {
        return streams.values().stream().anyMatch(s -> s.state() == KafkaStreams.State.ERROR || s.state() == KafkaStreams.State.NOT_RUNNING);
    }

    boolean close(Duration timeout) {
        boolean clean = true;
        for (KafkaStreams running : streams.values()) {
            clean &= running.close(CloseOptions.timeout(timeout).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        return clean;
    }

    @Override
    public void close() {
        close(FoldstreamWorker.DEFAULT_CLOSE_TIMEOUT);
    }
}
