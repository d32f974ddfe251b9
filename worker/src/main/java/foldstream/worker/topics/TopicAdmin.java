package foldstream.worker.topics;

import foldstream.worker.aggregate.AggregateType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and checks the topics of aggregate types with Kafka's Admin client: what is missing is
 * created with the contract's settings, what exists is checked against {@link TopicContract}, and
 * nothing that exists is ever changed.
 *
 * <pre>{@code
 * try (TopicAdmin topics = TopicAdmin.connect(Map.of("bootstrap.servers", "127.0.0.1:9092"), Duration.ofSeconds(30))) {
 *     EnsuredTopics done = topics.ensure(ExampleTypes.all(), 6, TopicAdmin.DERIVED_REPLICATION);
 *     List<TopicDescription> now = topics.describe(ExampleTypes.all());
 * }
 * }</pre>
 *
 * <p>Every call is bounded by the timeout; a cluster that does not answer in time is a
 * {@link KafkaUnreachableException} naming the address.
 */
public final class TopicAdmin implements AutoCloseable {

    /** Replication factor meaning "min(3, brokers in the cluster)". */
    public static final int DERIVED_REPLICATION = -1;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    static final List<String> RELEVANT_CONFIGS = List.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG);

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;

    /** Uses {@code admin}, which this instance closes. */
    public TopicAdmin(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** Creates an Admin client from {@code config} (at least {@code bootstrap.servers}). */
    public static TopicAdmin connect(Map<String, Object> config, Duration timeout) {
        String servers = String.valueOf(config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        try {
            return new TopicAdmin(Admin.create(config), servers, timeout);
        } catch (KafkaException e) {
            // For example no resolvable address among the bootstrap servers.
            throw new KafkaUnreachableException(servers, "cannot connect to Kafka at " + servers
                    + " (bootstrap-servers): " + rootMessage(e), e);
        }
    }

    /** The number of brokers in the cluster. */
    public int brokerCount() {
        return await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs())).nodes(),
                "describing the cluster").size();
    }

    /** The cluster's id: what tells one Kafka cluster's offsets and topics from another's. */
    public String clusterId() {
        return await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs())).clusterId(), "describing the cluster");
    }

    /** {@code requested}, or min(3, brokers) when it is {@link #DERIVED_REPLICATION}. */
    public int replicationFactor(int requested) {
        return requested == DERIVED_REPLICATION ? Math.min(3, brokerCount()) : requested;
    }

    /** Each expected topic of the types, as it is now, with what the contract finds wrong with it. */
    public List<TopicDescription> describe(List<? extends AggregateType<?>> types) {
        List<ExpectedTopic> expected = ExpectedTopic.of(types);
        Map<String, ObservedTopic> observed = observe(expected.stream().map(ExpectedTopic::name).toList());
        List<TopicProblem> problems = TopicContract.check(expected, observed);
        List<TopicDescription> descriptions = new ArrayList<>();
        for (ExpectedTopic topic : expected) {
            descriptions.add(new TopicDescription(topic, Optional.ofNullable(observed.get(topic.name())),
                    problems.stream().filter(problem -> problem.topic().equals(topic.name())).toList()));
        }
        return descriptions;
    }

    /**
     * Creates the missing topics of the types and checks the existing ones. A type's missing
     * topics get the partition count of its existing commands, events or results topics, so all
     * stay co-partitioned by aggregate id; a type with none of those gets {@code partitions}.
     *
     * @param replicationFactor replicas of created topics, or {@link #DERIVED_REPLICATION}
     * @throws TopicContractException when existing topics would lose events; nothing is created then
     */
    public EnsuredTopics ensure(List<? extends AggregateType<?>> types, int partitions, int replicationFactor) {
        List<ExpectedTopic> expected = ExpectedTopic.of(types);
        Map<String, ObservedTopic> observed = observe(expected.stream().map(ExpectedTopic::name).toList());
        List<TopicProblem> problems = TopicContract.check(expected, observed);
        if (!problems.isEmpty()) {
            throw new TopicContractException(problems);
        }
        List<ExpectedTopic> missing = expected.stream().filter(topic -> !observed.containsKey(topic.name())).toList();
        int replicas = replicationFactor(replicationFactor);
        List<NewTopic> toCreate = new ArrayList<>();
        Map<String, List<ExpectedTopic>> byType = expected.stream()
                .collect(Collectors.groupingBy(ExpectedTopic::aggregateType, LinkedHashMap::new, Collectors.toList()));
        for (ExpectedTopic topic : missing) {
            int count = TopicContract.partitionsFor(byType.get(topic.aggregateType()), observed, partitions);
            toCreate.add(new NewTopic(topic.name(), count, (short) replicas).configs(topic.role().configs()));
        }
        List<String> created = create(toCreate);
        List<String> raced = toCreate.stream().map(NewTopic::name).filter(name -> !created.contains(name)).toList();
        // Wait until the broker serves what was created, so Kafka Streams finds its source topics,
        // and until it serves what another client created meanwhile, so those are judged too.
        Map<String, ObservedTopic> now = new LinkedHashMap<>(observed);
        now.putAll(awaitVisible(toCreate.stream().map(NewTopic::name).toList()));
        if (!raced.isEmpty()) {
            List<TopicProblem> late = TopicContract.check(expected, now);
            if (!late.isEmpty()) {
                throw new TopicContractException(late);
            }
        }
        List<String> existing = expected.stream().map(ExpectedTopic::name).filter(name -> !created.contains(name)).toList();
        if (!created.isEmpty()) {
            LOG.info("created topics {} with replication factor {}", created, replicas);
        }
        return new EnsuredTopics(created, existing, replicas);
    }

    /** The topics among {@code names} that exist, with their partitions, replicas and relevant configs. */
    public Map<String, ObservedTopic> observe(Collection<String> names) {
        Map<String, KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>> futures = admin
                .describeTopics(names, new DescribeTopicsOptions().timeoutMs(timeoutMs())).topicNameValues();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> found = new LinkedHashMap<>();
        for (String name : names) {
            try {
                found.put(name, futures.get(name).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("describing topic " + name, e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw unreachable("describing topic " + name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while describing topic " + name, e);
            }
        }
        if (found.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = found.keySet().stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = await(
                admin.describeConfigs(resources, new DescribeConfigsOptions().timeoutMs(timeoutMs())).all(),
                "reading the configs of topics " + found.keySet());
        Map<String, ObservedTopic> observed = new LinkedHashMap<>();
        for (org.apache.kafka.clients.admin.TopicDescription description : found.values()) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, description.name()));
            Map<String, String> relevant = new LinkedHashMap<>();
            for (String key : RELEVANT_CONFIGS) {
                ConfigEntry entry = config == null ? null : config.get(key);
                if (entry != null && entry.value() != null) {
                    relevant.put(key, entry.value());
                }
            }
            int replicas = description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
            observed.put(description.name(), new ObservedTopic(description.name(), description.partitions().size(), replicas, relevant));
        }
        return observed;
    }

    /**
     * Observes the topics until the broker serves all of them: a created topic reaches the
     * broker's metadata a moment after the controller accepts it.
     */
    private Map<String, ObservedTopic> awaitVisible(List<String> names) {
        if (names.isEmpty()) {
            return Map.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, ObservedTopic> found = observe(names);
            if (found.size() == names.size() && leadersKnown(names)) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                List<String> absent = names.stream().filter(name -> !found.containsKey(name)).toList();
                throw new KafkaException("topics " + absent + " were created at " + bootstrapServers
                        + " but are not served after " + timeout.toMillis() + " ms");
            }
            try {
                // A short pause between metadata requests, not to flood the broker.
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for topics " + names, e);
            }
        }
    }

    /**
     * Waits until every partition of these topics has a leader: until then a producer's first
     * batches bounce (NOT_LEADER_OR_FOLLOWER), and an idempotent producer that retries one while
     * later ones land can be stuck on an out-of-order sequence for good.
     */
    public void awaitLeaders(List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!leadersKnown(names)) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("topics " + names + " at " + bootstrapServers + " have no leader after " + timeout.toMillis() + " ms");
            }
            try {
                // A short pause between metadata requests, not to flood the broker.
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for the leaders of " + names, e);
            }
        }
    }

    private boolean leadersKnown(List<String> names) {
        try {
            return admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).values().stream()
                    .flatMap(description -> description.partitions().stream())
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        } catch (ExecutionException e) {
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable("describing topics " + names, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while describing " + names, e);
        }
    }

    /** Creates the topics; returns those created, leaving out those that another client created first. */
    private List<String> create(List<NewTopic> topics) {
        if (topics.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<Void>> futures = admin
                .createTopics(topics, new CreateTopicsOptions().timeoutMs(timeoutMs())).values();
        List<String> created = new ArrayList<>();
        for (NewTopic topic : topics) {
            try {
                futures.get(topic.name()).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure("creating topic " + topic.name() + " (" + topic.numPartitions() + " partitions, replication factor "
                            + topic.replicationFactor() + ")", e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw unreachable("creating topic " + topic.name(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while creating topic " + topic.name(), e);
            }
        }
        return created;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while " + what, e);
        }
    }

    private RuntimeException failure(String what, Throwable cause) {
        if (cause instanceof TimeoutException) {
            return unreachable(what, cause);
        }
        return new KafkaException(what + " failed at " + bootstrapServers + ": " + rootMessage(cause), cause);
    }

    private KafkaUnreachableException unreachable(String what, Throwable cause) {
        return new KafkaUnreachableException(bootstrapServers, "no Kafka broker answered at " + bootstrapServers
                + " (bootstrap-servers) within " + timeout.toMillis() + " ms while " + what
                + "; is Kafka running there?", cause);
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
