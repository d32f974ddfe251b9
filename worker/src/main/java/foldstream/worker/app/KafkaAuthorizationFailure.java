package foldstream.worker.app;

import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * A failure that no retry can mend: Kafka refused the worker's credentials, or an ACL the worker
 * needs is missing. A stream thread that dies of one is not replaced (it would fail the same way
 * forever); the worker stops and says which permission is missing.
 *
 * <pre>{@code
 * Optional<KafkaAuthorizationFailure> fatal = KafkaAuthorizationFailure.of(error, "billing-workers");
 * fatal.ifPresent(f -> log.error(f.message()));
 * }</pre>
 *
 * @param message what was refused and which ACL grants it, e.g. "not authorized to use the
 *     transactional ids of application billing-workers: grant Write and Describe on transactional
 *     ids prefixed with billing-workers"
 */
public record KafkaAuthorizationFailure(String message) {

    /** The authorization or authentication failure among the error and its causes, if there is one. */
    public static Optional<KafkaAuthorizationFailure> of(Throwable error, String applicationId) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String text = describe(cause, applicationId);
            if (text != null) {
                return Optional.of(new KafkaAuthorizationFailure(text));
            }
        }
        return Optional.empty();
    }

    private static String describe(Throwable cause, String applicationId) {
        if (cause instanceof TopicAuthorizationException topics) {
            return "Kafka refused access to topic(s) " + new TreeSet<>(topics.unauthorizedTopics())
                    + ": grant the worker's principal Describe, DescribeConfigs, Read and Write on them"
                    + " (Create where the worker creates them; see docs/running.md)";
        }
        if (cause instanceof GroupAuthorizationException group) {
            return "Kafka refused access to consumer group " + (group.groupId() == null ? applicationId : group.groupId())
                    + ": grant the worker's principal Read and Describe on the group named after the application id";
        }
        if (cause instanceof TransactionalIdAuthorizationException) {
            return "Kafka refused the transactional ids of application " + applicationId
                    + ": grant the worker's principal Write and Describe on transactional ids prefixed with " + applicationId;
        }
        if (cause instanceof ClusterAuthorizationException) {
            return "Kafka refused a cluster operation: " + cause.getMessage();
        }
        if (cause instanceof AuthorizationException) {
            return "Kafka refused an operation: " + cause.getMessage();
        }
        if (cause instanceof AuthenticationException) {
            return "Kafka refused the worker's credentials: " + cause.getMessage();
        }
        return null;
    }
}
