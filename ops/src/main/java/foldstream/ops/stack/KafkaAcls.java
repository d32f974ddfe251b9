package foldstream.ops.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs Foldstream's programs need, exactly as {@code docs/running.md} and
 * {@code docs/security.md} list them, and the SCRAM users to hold them: the secure local stack grants
 * them, and the tests prove that a worker holding just these runs, and one lacking any stops saying
 * which.
 *
 * <pre>{@code
 * try (Admin admin = Admin.create(broker.adminProperties())) {
 *     KafkaAcls.createScramUser(admin, "billing", "secret");
 *     admin.createAcls(KafkaAcls.worker("User:billing", "billing-workers", List.of("ex_accounts"))).all().get();
 * }
 * }</pre>
 */
public final class KafkaAcls {

    private static final long TIMEOUT_SECONDS = 60;
    /** The topic suffixes of a type's topics ({@code S-commands}, ...), as the wire contract names them. */
    public static final List<String> TYPE_TOPICS = List.of("commands", "events", "results", "dlq", "control", "control-results", "state");

    private KafkaAcls() {
    }

    /**
     * A worker's ACLs: on its types' topics Describe, DescribeConfigs, Read, Write and Create; on
     * topics prefixed with the application id (Kafka Streams' changelogs) the same; on the consumer
     * group named after the application id Read and Describe; on transactional ids prefixed with the
     * application id Write and Describe.
     *
     * @param principal for example {@code User:billing}
     * @param types the stream names of the types it runs
     */
    public static List<AclBinding> worker(String principal, String applicationId, List<String> types) {
        List<AclBinding> acls = new ArrayList<>();
        List<AclOperation> topicOperations = List.of(AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
                AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE);
        for (String type : types) {
            for (String suffix : TYPE_TOPICS) {
                allow(acls, principal, ResourceType.TOPIC, type + "-" + suffix, PatternType.LITERAL, topicOperations);
            }
        }
        allow(acls, principal, ResourceType.TOPIC, applicationId, PatternType.PREFIXED, topicOperations);
        allow(acls, principal, ResourceType.GROUP, applicationId, PatternType.LITERAL, List.of(AclOperation.READ, AclOperation.DESCRIBE));
        allow(acls, principal, ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED,
                List.of(AclOperation.WRITE, AclOperation.DESCRIBE));
        return acls;
    }

    /**
     * The registry server's ACLs on its schemas topic: Describe, DescribeConfigs, Read, Write and
     * Create (it reads the topic by assignment, without a consumer group).
     */
    public static List<AclBinding> registry(String principal, String topic) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, principal, ResourceType.TOPIC, topic, PatternType.LITERAL, List.of(AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS, AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE));
        return acls;
    }

    /** Creates (or replaces) the user's SCRAM-SHA-512 credential. */
    public static void createScramUser(Admin admin, String user, String password) {
        await(() -> admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "creating the SCRAM user " + user);
    }

    /** Grants the ACLs. */
    public static void grant(Admin admin, List<AclBinding> acls) {
        await(() -> admin.createAcls(acls).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "creating " + acls.size() + " ACLs");
    }

    /**
     * Waits until the broker lets a client with these settings in: SCRAM credentials reach the broker
     * through the metadata log, a moment after they are created.
     */
    public static void awaitLogin(Map<String, Object> clientProperties) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        try (Admin admin = Admin.create(clientProperties)) {
            while (true) {
                try {
                    admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not let " + clientProperties.get("sasl.mechanism")
                                + " credentials in within " + TIMEOUT_SECONDS + " s: " + e.getMessage(), e);
                    }
                    TimeUnit.MILLISECONDS.sleep(200); // polling the broker, which says nothing when the user arrives
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker to accept new credentials", e);
        }
    }

    private static void allow(List<AclBinding> acls, String principal, ResourceType type, String name, PatternType pattern,
                              List<AclOperation> operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private interface Call {
        Object run() throws ExecutionException, TimeoutException, InterruptedException;
    }

    private static void await(Call call, String what) {
        try {
            call.run();
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }
}
