package foldstream.worker.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka cluster a Kafka Streams application's state directory was built from, written beside its
 * tasks ({@code <state.dir>/<application.id>/foldstream-kafka-cluster}).
 *
 * <p>Local state is a copy of the cluster's changelogs, at the offsets it last read. Started against
 * another cluster (a development broker recreated with empty data, a worker moved to another cluster
 * with its disk), Kafka Streams would take those offsets and stores as they are: where an offset
 * happens to exist in the new changelog it restores on top of the old data, and the old snapshots'
 * schema ids name other schemas in the new registry, so every command of the aggregate fails. So an
 * application whose directory names another cluster starts from an empty one and restores from the
 * cluster it runs against; a directory without the file (first start, or written before this check)
 * is taken as this cluster's.
 *
 * <pre>{@code
 * config.put(StateDirectoryCluster.CLUSTER_ID_CONFIG, admin.clusterId());
 * StateDirectoryCluster.claim(config);   // before new KafkaStreams(topology, new StreamsConfig(config))
 * }</pre>
 */
public final class StateDirectoryCluster {

    /** The Kafka Streams configuration key that carries the cluster's id to each of a worker's applications. */
    public static final String CLUSTER_ID_CONFIG = "foldstream.kafka.cluster.id";
    static final String FILE = "foldstream-kafka-cluster";

    private static final Logger LOG = LoggerFactory.getLogger(StateDirectoryCluster.class);

    /** What {@link #claim} found. */
    public enum Claim {
        /** No record of a cluster: now this one's. */
        RECORDED,
        /** Built from this cluster: kept. */
        SAME_CLUSTER,
        /** Built from another cluster: deleted, to be restored from this one. */
        OTHER_CLUSTER_DELETED
    }

    private StateDirectoryCluster() {
    }

    /**
     * Claims the state directory of the application {@code streamsConfig} configures for the cluster
     * named under {@link #CLUSTER_ID_CONFIG}; does nothing when the configuration names no cluster or
     * no state directory.
     */
    public static void claim(Map<String, Object> streamsConfig) {
        Object clusterId = streamsConfig.get(CLUSTER_ID_CONFIG);
        Object stateDir = streamsConfig.get(StreamsConfig.STATE_DIR_CONFIG);
        Object applicationId = streamsConfig.get(StreamsConfig.APPLICATION_ID_CONFIG);
        if (clusterId != null && stateDir != null && applicationId != null) {
            claim(Path.of(stateDir.toString()), applicationId.toString(), clusterId.toString());
        }
    }

    /** As above, for the application {@code applicationId} in {@code stateDir}. */
    public static Claim claim(Path stateDir, String applicationId, String clusterId) {
        Path directory = stateDir.resolve(applicationId);
        Path file = directory.resolve(FILE);
        try {
            Claim claim = Claim.RECORDED;
            if (Files.isRegularFile(file)) {
                String recorded = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (recorded.equals(clusterId)) {
                    return Claim.SAME_CLUSTER;
                }
                LOG.warn("application {}: its state directory {} was built from Kafka cluster {}, and this is cluster {}: deleting it, "
                        + "its state is restored from this cluster", applicationId, directory, recorded, clusterId);
                Utils.delete(directory.toFile());
                claim = Claim.OTHER_CLUSTER_DELETED;
            }
            Files.createDirectories(directory);
            Path written = Files.writeString(directory.resolve(FILE + ".tmp"), clusterId, StandardCharsets.UTF_8);
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return claim;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the Kafka cluster of " + directory + ": " + e.getMessage(), e);
        }
    }
}
