package foldstream.worker.projection.runtime;

import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.Projection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projections one worker runs, each in its runner: embedded ones in Kafka Streams applications
 * of their own, JDBC ones on consumer threads of their own (only when a JDBC URL is configured;
 * otherwise they are listed as not running, with the reason).
 *
 * <pre>{@code
 * try (ProjectionHost host = ProjectionHost.start(List.of(directory, balances), runtime, Optional.of(jdbcUrl), JdbcPositions.DEFAULT_TABLE)) {
 *     host.embedded("user-directory").orElseThrow().lookup("ann@example.com", Optional.empty());
 * }
 * }</pre>
 */
public final class ProjectionHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionHost.class);

    /** What one projection is doing on this worker, for {@code GET /projections}. */
    public record Status(String name, int version, String kind, String runsAs, String state, List<String> follows) {
    }

    private final Map<String, EmbeddedProjectionRunner<?>> embedded = new LinkedHashMap<>();
    private final Map<String, JdbcProjectionRunner> jdbc = new LinkedHashMap<>();
    private final Map<String, Status> notRunning = new LinkedHashMap<>();

    private ProjectionHost() {
    }

    /** A host that runs nothing. */
    public static ProjectionHost empty() {
        return new ProjectionHost();
    }

    /**
     * Starts every projection; a JDBC projection only when {@code jdbcUrl} is given.
     *
     * @throws IllegalStateException when a runner cannot start (the database refuses, say); those
     *     started already are closed
     */
    public static ProjectionHost start(List<? extends Projection> projections, ProjectionRuntime runtime, Optional<String> jdbcUrl,
                                       String positionsTable) {
        ProjectionHost host = new ProjectionHost();
        try {
            for (Projection projection : projections) {
                if (projection instanceof EmbeddedProjection<?> embedded) {
                    EmbeddedProjectionRunner<?> runner = new EmbeddedProjectionRunner<>(embedded, runtime);
                    host.embedded.put(embedded.name(), runner);
                    runner.start();
                } else if (projection instanceof JdbcProjection jdbcProjection) {
                    if (jdbcUrl.isEmpty()) {
                        LOG.info("projection {} is not run here: it writes to a database and no --projection-jdbc-url is set",
                                projection.id());
                        host.notRunning.put(projection.name(), new Status(projection.name(), projection.version(), "jdbc", "-",
                                "NOT_RUN: no --projection-jdbc-url (FOLDSTREAM_PROJECTION_JDBC_URL)", projection.follows()));
                        continue;
                    }
                    JdbcProjectionRunner runner = new JdbcProjectionRunner(jdbcProjection, runtime, jdbcUrl.get(), positionsTable);
                    runner.start();
                    host.jdbc.put(projection.name(), runner);
                }
            }
        } catch (RuntimeException e) {
            host.close(Duration.ofSeconds(10));
            throw e;
        }
        return host;
    }

    /** The queries of an embedded projection run here. */
    public Optional<EmbeddedProjectionQueries> embedded(String name) {
        return Optional.ofNullable(embedded.get(name)).map(EmbeddedProjectionRunner::queries);
    }

    /** True when a projection of that name is registered here in any form. */
    public boolean knows(String name) {
        return embedded.containsKey(name) || jdbc.containsKey(name) || notRunning.containsKey(name);
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(embedded.keySet());
        names.addAll(jdbc.keySet());
        names.addAll(notRunning.keySet());
        return names;
    }

    public List<Status> status() {
        List<Status> all = new ArrayList<>();
        embedded.values().forEach(runner -> all.add(new Status(runner.projection().name(), runner.projection().version(), "embedded",
                runner.applicationId(), runner.state().name(), runner.projection().follows())));
        jdbc.values().forEach(runner -> all.add(new Status(runner.projection().name(), runner.projection().version(), "jdbc",
                runner.groupId(), "RUNNING", runner.projection().follows())));
        all.addAll(notRunning.values());
        return all;
    }

    /** What the worker's health and readiness see of each embedded projection's Kafka Streams application. */
    public List<StreamsApplicationWatch.View> views() {
        return embedded.values().stream().map(EmbeddedProjectionRunner::view).toList();
    }

    /** @return true when every runner stopped within the timeout */
    public boolean close(Duration timeout) {
        boolean clean = true;
        for (JdbcProjectionRunner runner : jdbc.values()) {
            clean &= runner.close(timeout);
        }
        for (EmbeddedProjectionRunner<?> runner : embedded.values()) {
            clean &= runner.close(timeout);
        }
        return clean;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
