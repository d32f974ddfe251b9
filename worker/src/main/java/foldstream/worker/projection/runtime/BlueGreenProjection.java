package foldstream.worker.projection.runtime;

import foldstream.worker.observe.StreamsApplicationWatch;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.runtime.AggregateTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded projection on one worker, across its generations: the generation serving queries
 * and, during a blue/green reset, the one being built beside it. The new generation serves once
 * it has caught up ({@link SwitchCondition}) and runs here; then the old one is stopped, its local
 * state deleted, and its group and internal topics dropped by the last instance to stop it.
 *
 * <pre>{@code
 * BlueGreenProjection<UserEntry> directory = BlueGreenProjection.start(projection, runtime, admin, 1);
 * directory.request(2);   // from the generations topic
 * directory.check();      // again and again; switches when generation 2 has caught up
 * directory.queries(Optional.empty()).lookup("ann@example.com", Optional.empty());
 * }</pre>
 */
final class BlueGreenProjection<S> {

    /** How long stopping a replaced generation may take. */
    static final Duration STOP = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(BlueGreenProjection.class);

    private final EmbeddedProjection<S> projection;
    private final ProjectionRuntime runtime;
    private final GenerationAdmin admin;
    private volatile EmbeddedProjectionRunner<S> serving;
    private volatile EmbeddedProjectionRunner<S> building;
    private SwitchCondition condition = new SwitchCondition();
    private volatile SwitchCondition.Decision last = new SwitchCondition.Decision.Wait(-1, 0);

    private BlueGreenProjection(EmbeddedProjection<S> projection, ProjectionRuntime runtime, GenerationAdmin admin) {
        this.projection = projection;
        this.runtime = runtime;
        this.admin = admin;
    }

    /**
     * Starts the generation asked for last. Above 1, the lowest older generation that still has
     * committed offsets (the one the other instances serve, unless it was dropped after a switch)
     * serves until the asked one has caught up; generations found with nothing serving are dropped.
     */
    static <S> BlueGreenProjection<S> start(EmbeddedProjection<S> projection, ProjectionRuntime runtime, GenerationAdmin admin,
                                            int latest) {
        BlueGreenProjection<S> host = new BlueGreenProjection<>(projection, runtime, admin);
        Optional<Integer> older = Optional.empty();
        for (int generation = 1; generation < latest && older.isEmpty(); generation++) {
            if (!admin.committed(host.applicationId(generation)).isEmpty()) {
                older = Optional.of(generation);
            }
        }
        if (older.isPresent()) {
            for (int generation = older.get() + 1; generation < latest; generation++) {
                host.drop(host.applicationId(generation));   // a build replaced by a newer request, unless it still runs elsewhere
            }
            host.serving = host.runner(older.get());
            try {
                host.building = host.runner(latest);
            } catch (RuntimeException e) {
                host.serving.close(STOP);
                throw e;
            }
        } else {
            host.serving = host.runner(latest);
            for (int generation = 1; generation < latest; generation++) {
                host.drop(host.applicationId(generation));   // left over from an instance that crashed while dropping it
            }
        }
        return host;
    }

    private String applicationId(int generation) {
        return ProjectionGenerations.applicationId(runtime.workerApplicationId(), projection.name(), projection.version(), generation);
    }

    private EmbeddedProjectionRunner<S> runner(int generation) {
        EmbeddedProjectionRunner<S> runner = new EmbeddedProjectionRunner<>(projection, runtime, generation);
        runner.start();
        return runner;
    }

    EmbeddedProjection<S> projection() {
        return projection;
    }

    /** A reset asked for this generation: build it beside the serving one (replacing one still being built). */
    synchronized void request(int generation) {
        EmbeddedProjectionRunner<S> newest = building != null ? building : serving;
        if (generation <= newest.generation()) {
            return;   // already running it, or an older request read again
        }
        LOG.info("projection {}: building generation {} beside generation {}, which serves until it has caught up", projection.id(),
                generation, serving.generation());
        if (building != null) {
            EmbeddedProjectionRunner<S> abandoned = building;
            building = null;
            retire(abandoned);
        }
        condition = new SwitchCondition();
        last = new SwitchCondition.Decision.Wait(-1, 0);
        building = runner(generation);
    }

    /** Switches to the generation being built once it runs here and has caught up. */
    synchronized void check() {
        EmbeddedProjectionRunner<S> candidate = building;
        if (candidate == null || candidate.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        Set<TopicPartition> inputs = admin.partitions(projection.follows().stream().map(type -> AggregateTopics.of(type).events()).toList());
        Map<TopicPartition, Long> old = admin.committed(serving.applicationId());
        Map<TopicPartition, Long> fresh = admin.committed(candidate.applicationId());
        Map<TopicPartition, Long> repartitionEnds = Map.of();
        Map<TopicPartition, Long> repartitionCommitted = Map.of();
        if (projection.keyedOtherwise()) {
            // Read after the input's committed offsets: what was sent on below those is below these ends.
            String repartition = EmbeddedProjectionRunner.repartitionTopic(candidate.applicationId());
            repartitionEnds = admin.ends(admin.partitions(List.of(repartition)));
            repartitionCommitted = admin.committed(candidate.applicationId());
        }
        last = condition.check(new SwitchCondition.Offsets(inputs, old, fresh, repartitionCommitted, repartitionEnds));
        if (last instanceof SwitchCondition.Decision.Switch) {
            EmbeddedProjectionRunner<S> replaced = serving;
            serving = candidate;
            building = null;
            LOG.info("projection {}: generation {} has caught up and serves here; stopping generation {}", projection.id(),
                    candidate.generation(), replaced.generation());
            retire(replaced);
        }
    }

    private void retire(EmbeddedProjectionRunner<S> runner) {
        if (!runner.close(STOP)) {
            // Still stopping: its state directory is locked and its group not left; a later start drops what remains.
            LOG.warn("projection generation {} did not stop within {}; its local state and group are left for now", runner.applicationId(),
                    STOP);
            return;
        }
        runner.deleteLocalState();
        drop(runner.applicationId());
    }

    private void drop(String applicationId) {
        try {
            admin.drop(applicationId);
        } catch (RuntimeException e) {
            // Serving is not affected; only the clean-up is left (it needs Delete on groups and topics prefixed with the application id).
            LOG.warn("could not drop the replaced projection generation {} (its consumer group, topics {}): {}; delete them yourself"
                    + " or grant the worker Delete on them", applicationId, EmbeddedProjectionRunner.internalTopics(applicationId),
                    e.getMessage());
        }
    }

    /** The queries of the serving generation, or of the one asked for (a forwarded read names it) while it runs here. */
    Optional<EmbeddedProjectionQueries> queries(Optional<Integer> generation) {
        EmbeddedProjectionRunner<S> now = serving;
        EmbeddedProjectionRunner<S> next = building;
        if (generation.isEmpty() || generation.get() == now.generation()) {
            return Optional.of(now.queries());
        }
        return next != null && generation.get() == next.generation() ? Optional.of(next.queries()) : Optional.empty();
    }

    /** The serving generation's status and, during a reset, the building one's. */
    List<ProjectionHost.Status> status() {
        List<ProjectionHost.Status> all = new ArrayList<>();
        EmbeddedProjectionRunner<S> now = serving;
        EmbeddedProjectionRunner<S> next = building;
        SwitchCondition.Decision decision = last;
        all.add(status(now, "SERVING", null));
        if (next != null) {
            all.add(status(next, "BUILDING", decision instanceof SwitchCondition.Decision.Wait wait && wait.behind() >= 0
                    ? wait.behind() + wait.secondHop() : null));
        }
        return all;
    }

    private ProjectionHost.Status status(EmbeddedProjectionRunner<S> runner, String role, Long behind) {
        return new ProjectionHost.Status(projection.name(), projection.version(), "embedded", runner.applicationId(), runner.state().name(),
                projection.follows(), runner.generation(), role, behind);
    }

    /** The serving generation. */
    int servingGeneration() {
        return serving.generation();
    }

    /** The generation being built, 0 when no reset runs. */
    int buildingGeneration() {
        EmbeddedProjectionRunner<S> next = building;
        return next == null ? 0 : next.generation();
    }

    /** Records the generation being built has still to apply to catch up; 0 when none is built, NaN before its first check. */
    double behind() {
        SwitchCondition.Decision decision = last;
        if (building == null) {
            return 0;
        }
        return decision instanceof SwitchCondition.Decision.Wait wait && wait.behind() >= 0 ? wait.behind() + wait.secondHop() : Double.NaN;
    }

    /** What health and readiness see: the serving generation only (a rebuild does not make a worker unready). */
    StreamsApplicationWatch.View view() {
        return serving.view();
    }

    synchronized boolean close(Duration timeout) {
        boolean clean = true;
        if (building != null) {
            clean &= building.close(timeout);
        }
        return clean & serving.close(timeout);
    }
}
