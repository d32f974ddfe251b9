package foldstream.worker.topics;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.examples.Counters;
import foldstream.worker.examples.Users;
import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.worker.aggregate.AggregateType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicContractTest {

    private static final Map<String, String> EVENT_STORE = Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");
    private static final Map<String, String> BROKER_DEFAULTS = Map.of("cleanup.policy", "delete", "retention.ms", "604800000", "retention.bytes", "-1");

    private static ObservedTopic topic(String name, int partitions, Map<String, String> configs) {
        return new ObservedTopic(name, partitions, 1, configs);
    }

    @Test
    void theContractNamesSixTopicsPerTypeAndTheStateTopicOnlyWhenPublished() {
        assertThat(ExpectedTopic.of(Users.type())).containsExactly(
                new ExpectedTopic("ex_users-commands", "ex_users", TopicRole.COMMANDS),
                new ExpectedTopic("ex_users-events", "ex_users", TopicRole.EVENTS),
                new ExpectedTopic("ex_users-results", "ex_users", TopicRole.RESULTS),
                new ExpectedTopic("ex_users-dlq", "ex_users", TopicRole.DLQ),
                new ExpectedTopic("ex_users-control", "ex_users", TopicRole.CONTROL),
                new ExpectedTopic("ex_users-control-results", "ex_users", TopicRole.CONTROL_RESULTS));
        AggregateType<CounterState> published = AggregateType.builder("counted", CounterState.class, new Counters())
                .command(Increment.class).events(Incremented.class).publishState(true).build();
        assertThat(ExpectedTopic.of(published)).extracting(ExpectedTopic::name).contains("counted-state");
        AggregateType<CounterState> snapshotsOnly = AggregateType.builder("snap", CounterState.class, new Counters())
                .command(Increment.class).storageMode(StorageMode.SNAPSHOTS_ONLY).build();
        assertThat(ExpectedTopic.of(snapshotsOnly)).extracting(ExpectedTopic::name).contains("snap-state");
    }

    @Test
    void eventsAreCreatedNeverDeletedAndStateCompacted() {
        assertThat(TopicRole.EVENTS.configs()).isEqualTo(EVENT_STORE);
        assertThat(TopicRole.STATE.configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(TopicRole.COMMANDS.configs()).isEmpty();
    }

    @Test
    void topicsThatMeetTheContractHaveNoProblems() {
        Map<String, ObservedTopic> observed = Map.of(
                "ex_users-commands", topic("ex_users-commands", 6, BROKER_DEFAULTS),
                "ex_users-events", topic("ex_users-events", 6, EVENT_STORE),
                "ex_users-results", topic("ex_users-results", 6, BROKER_DEFAULTS),
                "ex_users-dlq", topic("ex_users-dlq", 1, BROKER_DEFAULTS));

        assertThat(TopicContract.check(ExpectedTopic.of(Users.type()), observed)).isEmpty();
    }

    @Test
    void aResultsTopicMustKeepEveryResultOfTheIdempotencyWindow() {
        // The broker's default (log.retention.hours=168) keeps the default 7-day window: no problem above.
        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-results", topic("ex_users-results", 6, Map.of("cleanup.policy", "compact,delete", "retention.ms", "86400000",
                        "retention.bytes", "1073741824"))), java.time.Duration.ofDays(2));

        assertThat(problems).extracting(TopicProblem::setting).containsExactly("cleanup.policy", "retention.ms", "retention.bytes");
        assertThat(problems).allSatisfy(problem -> assertThat(problem.toString())
                .startsWith("topic ex_users-results: ").contains("--command-id-retention, PT48H"));
        assertThat(problems.get(1).toString()).contains("it must be at least 172800000 (or -1)");
        assertThat(TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-results", topic("ex_users-results", 6, BROKER_DEFAULTS)), java.time.Duration.ofDays(8)))
                .extracting(TopicProblem::setting).containsExactly("retention.ms");
    }

    @Test
    void aResultsTopicIsCreatedKeepingTheWindowAndAtLeastKafkasDefault() {
        ExpectedTopic results = new ExpectedTopic("ex_users-results", "ex_users", TopicRole.RESULTS);
        assertThat(TopicContract.createConfigs(results, java.time.Duration.ofDays(1))).containsExactly(Map.entry("retention.ms", "604800000"));
        assertThat(TopicContract.createConfigs(results, java.time.Duration.ofDays(30))).containsExactly(Map.entry("retention.ms", "2592000000"));
        ExpectedTopic events = new ExpectedTopic("ex_users-events", "ex_users", TopicRole.EVENTS);
        assertThat(TopicContract.createConfigs(events, java.time.Duration.ofDays(30))).isEqualTo(EVENT_STORE);
    }

    @Test
    void aCompactedEventTopicIsRefused() {
        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-events", topic("ex_users-events", 6, Map.of("cleanup.policy", "compact", "retention.ms", "-1", "retention.bytes", "-1"))));

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.topic()).isEqualTo("ex_users-events");
            assertThat(problem.setting()).isEqualTo("cleanup.policy");
            assertThat(problem.toString()).startsWith("topic ex_users-events: cleanup.policy is compact: compaction keeps only the latest event");
        });
    }

    @Test
    void anEventTopicLimitedByTimeOrSizeIsRefused() {
        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-events", topic("ex_users-events", 6, Map.of("cleanup.policy", "delete", "retention.ms", "604800000", "retention.bytes", "1073741824"))));

        assertThat(problems).extracting(TopicProblem::toString).containsExactly(
                "topic ex_users-events: retention.ms is 604800000: Kafka would delete old events; it must be -1 (unlimited)",
                "topic ex_users-events: retention.bytes is 1073741824: Kafka would delete the oldest events; it must be -1 (unlimited)");
    }

    @Test
    void commandsEventsAndResultsWithDifferentPartitionCountsAreRefused() {
        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-commands", topic("ex_users-commands", 3, BROKER_DEFAULTS),
                "ex_users-events", topic("ex_users-events", 6, EVENT_STORE),
                "ex_users-dlq", topic("ex_users-dlq", 1, BROKER_DEFAULTS)));

        assertThat(problems).extracting(TopicProblem::toString).containsExactly(
                "topic ex_users-commands: partitions is 3 but ex_users-events has 6: commands, events, results and control topics of a type must have the same partition count",
                "topic ex_users-events: partitions is 6 but ex_users-commands has 3: commands, events, results and control topics of a type must have the same partition count");
    }

    @Test
    void aControlTopicMustHaveTheCommandsPartitionCount() {
        // Kafka Streams reads S-control partition p in the task of S-commands partition p: the counts must agree.
        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-commands", topic("ex_users-commands", 6, BROKER_DEFAULTS),
                "ex_users-control", topic("ex_users-control", 1, BROKER_DEFAULTS)));
        assertThat(problems).extracting(TopicProblem::topic).containsExactly("ex_users-commands", "ex_users-control");
        assertThat(TopicContract.partitionsFor(ExpectedTopic.of(Users.type()), Map.of(
                "ex_users-commands", topic("ex_users-commands", 6, BROKER_DEFAULTS)), 2)).isEqualTo(6);
    }

    @Test
    void aStateTopicMustBeCompacted() {
        AggregateType<CounterState> published = AggregateType.builder("counted", CounterState.class, new Counters())
                .command(Increment.class).events(Incremented.class).publishState(true).build();

        List<TopicProblem> problems = TopicContract.check(ExpectedTopic.of(published),
                Map.of("counted-state", topic("counted-state", 6, BROKER_DEFAULTS)));

        assertThat(problems).singleElement().extracting(TopicProblem::setting).isEqualTo("cleanup.policy");
    }

    @Test
    void missingTopicsTakeThePartitionCountOfTheirTypesExistingOnes() {
        List<ExpectedTopic> users = ExpectedTopic.of(Users.type());

        assertThat(TopicContract.partitionsFor(users, Map.of(), 6)).isEqualTo(6);
        assertThat(TopicContract.partitionsFor(users, Map.of("ex_users-commands", topic("ex_users-commands", 3, BROKER_DEFAULTS)), 6)).isEqualTo(3);
        assertThat(TopicContract.partitionsFor(users, Map.of("ex_users-dlq", topic("ex_users-dlq", 1, BROKER_DEFAULTS)), 6))
                .as("an existing dlq does not set the count").isEqualTo(6);
    }
}
