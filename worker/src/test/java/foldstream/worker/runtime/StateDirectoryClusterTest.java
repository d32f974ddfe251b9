package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.runtime.StateDirectoryCluster.Claim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryClusterTest {

    @Test
    void aDirectoryWithoutARecordIsTakenAsThisClustersAndKept(@TempDir Path state) throws Exception {
        Path task = Files.createDirectories(state.resolve("billing/0_1"));

        assertThat(StateDirectoryCluster.claim(state, "billing", "cluster-A")).isEqualTo(Claim.RECORDED);
        assertThat(StateDirectoryCluster.claim(state, "billing", "cluster-A")).isEqualTo(Claim.SAME_CLUSTER);

        assertThat(task).isDirectory();
        assertThat(state.resolve("billing").resolve(StateDirectoryCluster.FILE)).hasContent("cluster-A");
    }

    @Test
    void aDirectoryBuiltFromAnotherClusterIsDeletedAndClaimedForThisOne(@TempDir Path state) throws Exception {
        StateDirectoryCluster.claim(state, "billing", "cluster-A");
        Path task = Files.createDirectories(state.resolve("billing/0_1/rocksdb"));
        Path otherApplication = Files.createDirectories(state.resolve("billing-eu/0_1"));

        assertThat(StateDirectoryCluster.claim(state, "billing", "cluster-B")).isEqualTo(Claim.OTHER_CLUSTER_DELETED);

        assertThat(task).doesNotExist();
        assertThat(state.resolve("billing").resolve(StateDirectoryCluster.FILE)).hasContent("cluster-B");
        assertThat(otherApplication).as("another application's directory").isDirectory();
    }

    @Test
    void aConfigurationWithoutAClusterIdClaimsNothing(@TempDir Path state) {
        Map<String, Object> config = new HashMap<>(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "billing",
                StreamsConfig.STATE_DIR_CONFIG, state.toString()));
        StateDirectoryCluster.claim(config);
        assertThat(state.resolve("billing")).doesNotExist();

        config.put(StateDirectoryCluster.CLUSTER_ID_CONFIG, "cluster-A");
        StateDirectoryCluster.claim(config);
        assertThat(state.resolve("billing").resolve(StateDirectoryCluster.FILE)).hasContent("cluster-A");
    }
}
