package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.counters.Increment;
import foldstream.examples.users.RegisterUser;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.ops.stack.KafkaAcls;
import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.TlsMaterial;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.app.FoldstreamWorker;
import foldstream.worker.app.KafkaAuthorizationFailure;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.examples.Counters;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker on a broker as secured clusters run: clients on SASL_SSL with SCRAM-SHA-512 and the
 * standard authorizer, so nothing is allowed without an ACL. Holding exactly the ACLs
 * {@code docs/running.md} lists ({@link KafkaAcls#worker}), the worker runs the example types; lacking
 * one, it stops by itself with an error naming what is missing, instead of retrying forever.
 * One broker for the class.
 */
class KafkaAclIT {

    private static final String REGISTRY_USER = "registry";
    private static final String PASSWORD_SUFFIX = "-secret";

    @TempDir
    static Path dir;
    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;
    private static final List<String> EXAMPLES = ExampleTypes.all().stream().map(t -> t.name()).toList();

    @BeforeAll
    static void start() throws Exception {
        TlsMaterial tls = TlsMaterial.create(dir.resolve("tls"), "localhost", "tls-secret");
        broker = new KafkaBroker(new KafkaBroker.Settings("127.0.0.1", 0, 0, dir.resolve("kafka"), Map.of())
                .withSecurity(new KafkaBroker.Security(tls, "admin-secret")));
        broker.start();
        user(REGISTRY_USER, KafkaAcls.registry("User:" + REGISTRY_USER, RegistryServerSettings.DEFAULT_TOPIC));
        registry = new SchemaRegistryServer(RegistryServerSettings.of(broker.bootstrapServers()).withPort(0)
                .withKafkaProperties(kafka(REGISTRY_USER))).start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Creates the SCRAM user with the ACLs, and waits until the broker lets it in. */
    private static void user(String name, List<AclBinding> acls) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            KafkaAcls.createScramUser(admin, name, name + PASSWORD_SUFFIX);
            KafkaAcls.grant(admin, acls);
        }
        KafkaAcls.awaitLogin(kafka(name));
    }

    private static Map<String, Object> kafka(String user) {
        return new HashMap<>(broker.clientProperties(user, user + PASSWORD_SUFFIX));
    }

    private static Map<String, String> workerProperties(String user) {
        Map<String, String> properties = new HashMap<>();
        kafka(user).forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                properties.put(key, value.toString());
            }
        });
        properties.put("commit.interval.ms", "100");
        return properties;
    }

    private static FoldstreamWorker worker(String user, String applicationId, List<String> types, HttpSchemaRegistryClient client) {
        WorkerSettings settings = WorkerSettings.of(broker.bootstrapServers())
                .withSchemaRegistryUrl(registry.url())
                .withApplicationId(applicationId)
                .withStateDir(dir.resolve("state-" + applicationId))
                .withTypes(types)
                .withPartitions(2)
                .withHttpPort(0)
                .withProperties(workerProperties(user));
        return new FoldstreamWorker(settings, ExampleTypes.all(), client);
    }

    @Test
    void aWorkerHoldingExactlyTheDocumentedAclsRunsTheExamples() throws Exception {
        String user = "billing";
        String applicationId = "acl-full";
        user(user, KafkaAcls.worker("User:" + user, applicationId, EXAMPLES));
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientSettings.of(registry.url()));
             FoldstreamWorker worker = worker(user, applicationId, EXAMPLES, client)) {
            worker.start();
            assertThat(worker.awaitRunning(Duration.ofSeconds(120))).isTrue();
            try (CommandGateway gateway = new CommandGateway(kafka(user), new AvroWireCodec(client, true), EXAMPLES)) {
                List<CommandResult> results = new ArrayList<>();
                results.add(gateway.create("ex_accounts", new OpenAccount("ann")).get(120, TimeUnit.SECONDS));
                results.add(gateway.send("ex_counters", "c-1", new Increment(2)).get(120, TimeUnit.SECONDS));
                results.add(gateway.create("ex_users", new RegisterUser("ada@example.org", "Ada Lovelace")).get(120, TimeUnit.SECONDS));
                assertThat(results).extracting(CommandResult::getOutcome).containsOnly(Outcome.ACCEPTED);
                assertThat(results).allSatisfy(result -> assertThat(result.getVersion()).isPositive());
            }
            assertThat(worker.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(worker.failure()).isEmpty();
        }
    }

    @Test
    void withoutWriteOnItsTransactionalIdsAWorkerStopsSayingSo() {
        String failure = failureWithout("no-txn", "acl-missing-txn",
                acl -> acl.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID && acl.entry().operation() == AclOperation.WRITE);
        assertThat(failure).contains("transactional ids").contains("acl-missing-txn").contains("Write");
    }

    @Test
    void withoutReadOnItsConsumerGroupAWorkerStopsSayingSo() {
        String failure = failureWithout("no-group", "acl-missing-group",
                acl -> acl.pattern().resourceType() == ResourceType.GROUP && acl.entry().operation() == AclOperation.READ);
        assertThat(failure).contains("consumer group acl-missing-group");
    }

    @Test
    void withoutReadOnItsCommandsTopicAWorkerStopsSayingSo() {
        String failure = failureWithout("no-read", "acl-missing-read",
                acl -> acl.pattern().name().equals("ex_counters-commands") && acl.entry().operation() == AclOperation.READ);
        assertThat(failure).contains("ex_counters-commands");
    }

    @Test
    void withoutCreateOnTopicsThatDoNotExistYetAWorkerRefusesToStartNamingThem() {
        String user = "no-create";
        String type = "acl_fresh";
        List<AclBinding> acls = new ArrayList<>(KafkaAcls.worker("User:" + user, "acl-missing-create", List.of(type)));
        assertThat(acls.removeIf(acl -> acl.pattern().name().startsWith(type + "-") && acl.entry().operation() == AclOperation.CREATE)).isTrue();
        user(user, acls);
        WorkerSettings settings = WorkerSettings.of(broker.bootstrapServers()).withSchemaRegistryUrl(registry.url())
                .withApplicationId("acl-missing-create").withStateDir(dir.resolve("state-acl-missing-create"))
                .withPartitions(2).withHttpPort(0).withProperties(workerProperties(user));
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientSettings.of(registry.url()));
             FoldstreamWorker worker = new FoldstreamWorker(settings, List.of(Counters.type().withName(type)), client)) {
            assertThatThrownBy(worker::start).hasMessageContaining("creating topic " + type + "-")
                    .hasMessageContaining("uthoriz");
        }
    }

    /** Runs ex_counters as a user holding the documented ACLs but one; returns why the worker stopped. */
    private static String failureWithout(String user, String applicationId, Predicate<AclBinding> missing) {
        List<AclBinding> acls = new ArrayList<>(KafkaAcls.worker("User:" + user, applicationId, List.of("ex_counters")));
        assertThat(acls.removeIf(missing)).isTrue();
        user(user, acls);
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientSettings.of(registry.url()));
             FoldstreamWorker worker = worker(user, applicationId, List.of("ex_counters"), client)) {
            worker.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> worker.failure().isPresent()
                    && (worker.state() == KafkaStreams.State.ERROR || worker.state() == KafkaStreams.State.PENDING_ERROR));
            return worker.failure().map(KafkaAuthorizationFailure::message).orElseThrow();
        }
    }
}
