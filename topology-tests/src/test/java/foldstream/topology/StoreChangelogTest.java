package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.AggregateTopics;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.PositionSerde;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The snapshot store's changelog records are what a new instance restores from: the store's value,
 * stamped with the store's position only when the user turns Kafka Streams' consistency vectors on
 * (the stores skip copying their position otherwise).
 */
class StoreChangelogTest {

    private static final String CHANGELOG = "topology-test-" + AggregateTopics.of("ex_accounts").snapshotStore() + "-changelog";
    /** Kafka Streams' header for a changelog record's position ({@code ChangelogRecordDeserializationHelper}). */
    private static final String POSITION_HEADER = "c";

    @Test
    void changelogCarriesTheStoredSnapshotAndNoPositionByDefault() {
        try (Worker worker = new Worker(ExampleTypes.all())) {
            worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");
            worker.send("ex_accounts", "a1", new Deposit(10L), COMMAND_ID, "dep-1");

            List<TestRecord<byte[], byte[]>> changelog = worker.raw(CHANGELOG);
            assertThat(changelog).hasSize(2);
            KeyValueStore<String, byte[]> store = worker.driver.getKeyValueStore(AggregateTopics.of("ex_accounts").snapshotStore());
            assertThat(changelog.get(1).value()).isEqualTo(store.get("a1"));
            assertThat(changelog).allSatisfy(record -> assertThat(record.headers().lastHeader(POSITION_HEADER)).isNull());
        }
    }

    @Test
    void consistencyVectorsStillStampThePosition() {
        Map<String, Object> consistency = Map.of(StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, true);
        try (Worker worker = new Worker(ExampleTypes.all(), consistency)) {
            worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");

            List<TestRecord<byte[], byte[]>> changelog = worker.raw(CHANGELOG);
            assertThat(changelog).hasSize(1);
            Position position = PositionSerde.deserialize(ByteBuffer.wrap(changelog.get(0).headers().lastHeader(POSITION_HEADER).value()));
            // Where the store's write came from: the command's topic and partition.
            assertThat(position.getTopics()).containsExactly(AggregateTopics.of("ex_accounts").commands());
            assertThat(position.getPartitionPositions(AggregateTopics.of("ex_accounts").commands())).containsOnlyKeys(0);
        }
    }
}
