package foldstream.worker.projection.runtime;

import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.Projection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projections one worker runs, each in its runner: embedded ones in Kafka Streams applications
 * of their own (per generation: see {@link BlueGreenProjection}), JDBC ones on consumer threads of
 * their own (only when a JDBC URL is configured; otherwise they are listed as not running, with the
 * reason). With embedded projections it follows the {@link ProjectionGenerations#topic generations topic}: a blue/green
 * reset reaches a running worker there, and a starting worker starts on the generation asked for.
 *
 * <pre>{@code
 * try (ProjectionHost host = ProjectionHost.start(List.of(directory, balances), runtime, Optional.of(jdbcUrl), JdbcPositions.DEFAULT_TABLE)) {
 *     host.embedded("user-directory").orElseThrow().lookup("ann@example.com", Optional.empty());
 * }
 * }</pre>
 */
public final class ProjectionHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionHost.class);
    /** How long a starting worker may take to read the generations topic, and an admin request. */
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What one projection (generation) is doing on this worker, for {@code GET /projections}.
     *
     * @param generation 1 until a blue/green reset
     * @param role {@code SERVING} (queries read it), {@code BUILDING} (a reset rebuilds it beside the serving one), {@code -} for JDBC
     * @param behind while {@code BUILDING}: records it has still to apply to catch up with the serving one (null before the first check)
     */
    public record Status(String name, int version, String kind, String runsAs, String state, List<String> follows, int generation,
                         String role, Long behind) {
    }

    private final Map<String, BlueGreenProjection<?>> embedded = new LinkedHashMap<>();
    private final Map<String, JdbcProjectionRunner> jdbc = new LinkedHashMap<>();
    private final Map<String, Status> notRunning = new LinkedHashMap<>();
    private GenerationAdmin admin;
    private GenerationFollower follower;

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
            Map<String, ProjectionGenerations.Request> generations = Map.of();
            if (projections.stream().anyMatch(EmbeddedProjection.class::isInstance)) {
                ProjectionGenerations.ensureTopic(runtime.clientConfig(), ProjectionGenerations.topic(runtime.workerApplicationId()));
                host.admin = new GenerationAdmin(runtime.clientConfig(), KAFKA_TIMEOUT);
                host.follower = new GenerationFollower(runtime.clientConfig(), ProjectionGenerations.topic(runtime.workerApplicationId()));
                generations = host.follower.readToEnd(KAFKA_TIMEOUT);
            }
            for (Projection projection : projections) {
                if (projection instanceof EmbeddedProjection<?> embedded) {
                    int generation = Optional.ofNullable(generations.get(key(runtime, projection)))
                            .map(ProjectionGenerations.Request::generation).orElse(1);
                    host.embedded.put(embedded.name(), BlueGreenProjection.start(embedded, runtime, host.admin, generation));
                } else if (projection instanceof JdbcProjection jdbcProjection) {
                    if (jdbcUrl.isEmpty()) {
                        LOG.info("projection {} is not run here: it writes to a database and no --projection-jdbc-url is set",
                                projection.id());
                        host.notRunning.put(projection.name(), new Status(projection.name(), projection.version(), "jdbc", "-",
                                "NOT_RUN: no --projection-jdbc-url (FOLDSTREAM_PROJECTION_JDBC_URL)", projection.follows(), 1, "-", null));
                        continue;
                    }
                    JdbcProjectionRunner runner = new JdbcProjectionRunner(jdbcProjection, runtime, jdbcUrl.get(), positionsTable);
                    runner.start();
                    host.jdbc.put(projection.name(), runner);
                }
            }
            if (host.follower != null) {
                Map<String, BlueGreenProjection<?>> byKey = new LinkedHashMap<>();
                host.embedded.values().forEach(one -> byKey.put(key(runtime, one.projection()), one));
                host.follower.follow((key, request) -> {
                    BlueGreenProjection<?> target = byKey.get(key);
                    if (target != null) {
                        target.request(request.generation());
                    } else if (host.jdbc.values().stream().anyMatch(runner -> key(runtime, runner.projection()).equals(key))) {
                        LOG.warn("generation {} asked for JDBC projection {}: not done, a JDBC projection is rebuilt in place or by a new"
                                + " version (docs/projections.md, Rebuilding)", request.generation(), key);
                    }
                }, () -> byKey.values().forEach(BlueGreenProjection::check));
            }
        } catch (TimeoutException e) {
            host.close(Duration.ofSeconds(10));
            throw new IllegalStateException("cannot read " + ProjectionGenerations.topic(runtime.workerApplicationId()) + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            host.close(Duration.ofSeconds(10));
            throw e;
        }
        return host;
    }

    private static String key(ProjectionRuntime runtime, Projection projection) {
        return ProjectionGenerations.key(projection.name(), projection.version());
    }

    /** The queries of an embedded projection run here: its serving generation's (ask again for each read: a reset switches it). */
    public Optional<EmbeddedProjectionQueries> embedded(String name) {
        return embedded(name, Optional.empty());
    }

    /** The queries of one generation of an embedded projection, while it runs here (serving or building); empty: the serving one. */
    public Optional<EmbeddedProjectionQueries> embedded(String name, Optional<Integer> generation) {
        return Optional.ofNullable(embedded.get(name)).flatMap(one -> one.queries(generation));
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
        embedded.values().forEach(one -> all.addAll(one.status()));
        jdbc.values().forEach(runner -> all.add(new Status(runner.projection().name(), runner.projection().version(), "jdbc",
                runner.groupId(), "RUNNING", runner.projection().follows(), 1, "-", null)));
        all.addAll(notRunning.values());
        return all;
    }

    /** Gauges of each embedded projection's generations ({@code foldstream_projection_generation}, {@code ..._rebuild_behind}). */
    public void registerMeters(MeterRegistry registry) {
        embedded.values().forEach(one -> ProjectionMeters.register(registry, one));
    }

    /** What the worker's health and readiness see of each embedded projection's Kafka Streams application (the serving generation). */
    public List<StreamsApplicationWatch.View> views() {
        return embedded.values().stream().map(BlueGreenProjection::view).toList();
    }

    /** @return true when every runner stopped within the timeout */
    public boolean close(Duration timeout) {
        boolean clean = true;
        if (follower != null) {
            follower.close();
        }
        for (JdbcProjectionRunner runner : jdbc.values()) {
            clean &= runner.close(timeout);
        }
        for (BlueGreenProjection<?> one : embedded.values()) {
            clean &= one.close(timeout);
        }
        if (admin != null) {
            admin.close();
        }
        return clean;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
