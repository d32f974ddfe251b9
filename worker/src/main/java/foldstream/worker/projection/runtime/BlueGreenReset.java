package foldstream.worker.projection.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * What {@code foldstream projection reset NAME} does by default: asks every worker running an
 * embedded projection version for its next generation ({@link ProjectionGenerations}), which they
 * rebuild from the first event beside the serving one and switch to once it has caught up. Only an
 * embedded projection that has run is rebuilt so: a JDBC projection's handlers name their tables,
 * which two generations cannot share, so it is refused with the ways that work.
 *
 * <pre>{@code
 * BlueGreenReset.Outcome outcome = BlueGreenReset.request(kafkaClientConfig, "foldstream", "user-directory", 1, "ann@ops1",
 *         Duration.ofSeconds(30));
 * if (outcome instanceof BlueGreenReset.Outcome.Refused refused) {
 *     System.err.println(refused.reason());
 * }
 * }</pre>
 */
public final class BlueGreenReset {

    /** How a request ended. */
    public sealed interface Outcome {

        /** Written: {@code serving} is the generation asked for before (1 when never reset); its application id is {@code from}. */
        record Requested(int serving, String from, ProjectionGenerations.Request next, String to) implements Outcome {
        }

        /** Nothing written, and why. */
        record Refused(String reason) implements Outcome {
        }
    }

    private BlueGreenReset() {
    }

    /** The generation asked for last (1 when never reset) of a projection version. */
    public static int currentGeneration(Map<String, Object> clientConfig, String workerApplicationId, String name, int version,
                                        Duration timeout) throws TimeoutException {
        return Optional.ofNullable(ProjectionGenerations.current(clientConfig, workerApplicationId, timeout)
                        .get(ProjectionGenerations.key(name, version)))
                .map(ProjectionGenerations.Request::generation).orElse(1);
    }

    public static Outcome request(Map<String, Object> clientConfig, String workerApplicationId, String name, int version, String requestedBy,
                                  Duration timeout) throws TimeoutException, InterruptedException {
        int serving = currentGeneration(clientConfig, workerApplicationId, name, version, timeout);
        String from = ProjectionGenerations.applicationId(workerApplicationId, name, version, serving);
        try (GenerationAdmin admin = new GenerationAdmin(clientConfig, timeout)) {
            if (!admin.topicExists(from + "-" + EmbeddedProjectionRunner.STATES_STORE + "-changelog")) {
                return new Outcome.Refused(!admin.committed(from).isEmpty()
                        ? from + " is not an embedded projection: a JDBC projection's handlers name its tables, which two generations"
                          + " cannot share. Rebuild it with --in-place (its readers wait), or beside the old one by raising its version"
                          + " in code with new table names (docs/projections.md, Rebuilding)."
                        : "no embedded projection " + from + " has run (no stores, no consumer group): nothing to rebuild."
                          + " Check NAME, --version and --application-id (`foldstream projections` lists what runs).");
            }
        }
        ProjectionGenerations.Request next = ProjectionGenerations.requestNext(clientConfig, workerApplicationId,
                ProjectionGenerations.key(name, version), requestedBy, timeout);
        return new Outcome.Requested(serving, from, next,
                ProjectionGenerations.applicationId(workerApplicationId, name, version, next.generation()));
    }
}
