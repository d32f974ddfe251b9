package foldstream.ops.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.examples.Counters;
import foldstream.worker.topics.EnsuredTopics;
import foldstream.worker.topics.KafkaUnreachableException;
import foldstream.worker.topics.ObservedTopic;
import foldstream.worker.topics.TopicAdmin;
import foldstream.worker.topics.TopicContractException;
import foldstream.worker.topics.TopicDescription;
import foldstream.worker.topics.TopicProblem;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The topic planner against a real broker: what it creates, what it describes, what it refuses. */
@ExtendWith(SharedKafkaBroker.class)
class TopicAdminTest {

    private Admin admin;
    private TopicAdmin topics;

    @BeforeEach
    void connect(KafkaBroker broker) {
        Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers());
        admin = Admin.create(config);
        topics = TopicAdmin.connect(config, Duration.ofSeconds(10));
    }

    @AfterEach
    void disconnect() {
        topics.close();
        admin.close();
    }

    /** A type of its own per test, so tests sharing the broker never meet each other's topics. */
    private static AggregateType<CounterState> freshType(boolean publishState) {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return AggregateType.builder(name, CounterState.class, new Counters())
                .command(Increment.class, Creation.EITHER)
                .events(Incremented.class)
                .publishState(publishState)
                .build();
    }

    private void createExisting(String name, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get(10, TimeUnit.SECONDS);
        // Served by the broker a moment after the controller accepted it.
        await().atMost(Duration.ofSeconds(10)).until(() -> topics.observe(List.of(name)).containsKey(name));
    }

    @Test
    void createsEveryTopicOfTheTypeWithTheContractsSettingsAndDescribesThem() {
        AggregateType<CounterState> type = freshType(true);
        String s = type.name();

        EnsuredTopics ensured = topics.ensure(List.of(type), 3, TopicAdmin.DERIVED_REPLICATION);

        assertThat(ensured.created()).containsExactly(s + "-commands", s + "-events", s + "-results", s + "-dlq", s + "-state",
                s + "-control", s + "-control-results");
        assertThat(ensured.replicationFactor()).as("min(3, one broker)").isEqualTo(1);
        List<TopicDescription> described = topics.describe(List.of(type));
        assertThat(described).allSatisfy(d -> {
            assertThat(d.exists()).isTrue();
            assertThat(d.problems()).isEmpty();
            assertThat(d.observed().orElseThrow().partitions()).isEqualTo(3);
            assertThat(d.observed().orElseThrow().replicationFactor()).isEqualTo(1);
        });
        ObservedTopic events = described.get(1).observed().orElseThrow();
        assertThat(events.name()).isEqualTo(s + "-events");
        assertThat(events.configs()).containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", "-1").containsEntry("retention.bytes", "-1");
        assertThat(described.get(4).observed().orElseThrow().configs()).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void ensuringAgainCreatesNothingAndKeepsWhatExists() {
        AggregateType<CounterState> type = freshType(false);
        topics.ensure(List.of(type), 2, 1);

        EnsuredTopics again = topics.ensure(List.of(type), 6, 1);

        assertThat(again.created()).isEmpty();
        assertThat(again.existing()).hasSize(6);
        assertThat(topics.describe(List.of(type))).allSatisfy(d -> assertThat(d.observed().orElseThrow().partitions()).isEqualTo(2));
    }

    @Test
    void describeReportsMissingTopicsWithoutCreatingThem() {
        AggregateType<CounterState> type = freshType(false);

        assertThat(topics.describe(List.of(type))).hasSize(6).noneMatch(TopicDescription::exists);
        assertThat(topics.observe(List.of(type.name() + "-commands"))).isEmpty();
    }

    @Test
    void missingTopicsTakeThePartitionCountOfTheExistingCommandsTopicNotTheSetting() throws Exception {
        AggregateType<CounterState> type = freshType(false);
        createExisting(type.name() + "-commands", 3, Map.of());

        EnsuredTopics ensured = topics.ensure(List.of(type), 6, 1);

        assertThat(ensured.created()).hasSize(5).doesNotContain(type.name() + "-commands");
        Map<String, ObservedTopic> now = topics.observe(List.of(type.name() + "-events", type.name() + "-results", type.name() + "-dlq"));
        assertThat(now.get(type.name() + "-events").partitions()).isEqualTo(3);
        assertThat(now.get(type.name() + "-results").partitions()).isEqualTo(3);
        assertThat(now.get(type.name() + "-dlq").partitions()).as("co-partitioned with the commands").isEqualTo(3);
        assertThat(topics.observe(List.of(type.name() + "-control")).get(type.name() + "-control").partitions())
                .as("the control topic too: Kafka Streams reads it in the commands' tasks").isEqualTo(3);
    }

    @Test
    void aCompactedEventTopicIsRefusedAndNothingIsCreated() throws Exception {
        AggregateType<CounterState> type = freshType(false);
        createExisting(type.name() + "-events", 6, Map.of("cleanup.policy", "compact"));

        assertThatThrownBy(() -> topics.ensure(List.of(type), 6, 1))
                .isInstanceOf(TopicContractException.class)
                .hasMessageContaining("topic " + type.name() + "-events: cleanup.policy is compact")
                .satisfies(e -> assertThat(((TopicContractException) e).problems())
                        .extracting(TopicProblem::topic, TopicProblem::setting)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(type.name() + "-events", "cleanup.policy")));
        assertThat(topics.observe(List.of(type.name() + "-commands"))).as("nothing created").isEmpty();
    }

    @Test
    void anEventTopicWithTheBrokersDefaultRetentionIsRefused() throws Exception {
        AggregateType<CounterState> type = freshType(false);
        createExisting(type.name() + "-events", 6, Map.of());

        assertThatThrownBy(() -> topics.ensure(List.of(type), 6, 1))
                .isInstanceOf(TopicContractException.class)
                .hasMessageContaining("topic " + type.name() + "-events: retention.ms is 604800000: Kafka would delete old events");
    }

    @Test
    void commandsAndEventsWithDifferentPartitionCountsAreRefused() throws Exception {
        AggregateType<CounterState> type = freshType(false);
        createExisting(type.name() + "-commands", 3, Map.of());
        createExisting(type.name() + "-events", 6, Map.of("retention.ms", "-1", "retention.bytes", "-1"));

        assertThatThrownBy(() -> topics.ensure(List.of(type), 6, 1))
                .isInstanceOf(TopicContractException.class)
                .hasMessageContaining("topic " + type.name() + "-commands: partitions is 3 but " + type.name() + "-events has 6");
        assertThat(topics.describe(List.of(type)).get(0).problems()).extracting(TopicProblem::setting).containsExactly("partitions");
    }

    @Test
    void aReplicationFactorTheClusterCannotMeetFailsNamingTheTopic() {
        AggregateType<CounterState> type = freshType(false);

        assertThatThrownBy(() -> topics.ensure(List.of(type), 1, 3))
                .hasMessageContaining("creating topic " + type.name() + "-commands (1 partitions, replication factor 3) failed");
    }

    @Test
    void aBrokerThatIsDownIsReportedWithItsAddress() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (TopicAdmin nowhere = TopicAdmin.connect(Map.of("bootstrap.servers", "127.0.0.1:" + closed), Duration.ofMillis(800))) {
            assertThatThrownBy(() -> nowhere.describe(List.of(freshType(false))))
                    .isInstanceOf(KafkaUnreachableException.class)
                    .hasMessageStartingWith("no Kafka broker answered at 127.0.0.1:" + closed + " (bootstrap-servers) within 800 ms");
        }
    }
}
