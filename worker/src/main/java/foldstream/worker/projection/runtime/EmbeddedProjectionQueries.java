package foldstream.worker.projection.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import foldstream.worker.projection.EmbeddedProjection;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one key of an embedded projection from whichever instance owns it (Kafka Streams'
 * interactive queries), and waits for read-your-writes: until the projection has applied a given
 * version of a given aggregate at that key.
 *
 * <pre>{@code
 * // after ACCEPTED at version 2 of ex_users 'u1' (RegisterUser with ann@example.com):
 * ProjectionLookup read = queries.await("ann@example.com", new AggregateRef("ex_users", "u1"), 2, Duration.ofSeconds(5));
 * }</pre>
 */
public final class EmbeddedProjectionQueries {

    /** An aggregate, by type and id. */
    public record AggregateRef(String type, String id) {
    }

    private final EmbeddedProjection<?> projection;
    private final KafkaStreams streams;
    private final HostInfo self;
    private final int generation;
    private final StateJson json = new StateJson();

    EmbeddedProjectionQueries(EmbeddedProjection<?> projection, KafkaStreams streams, HostInfo self, int generation) {
        this.projection = projection;
        this.streams = streams;
        this.self = self;
        this.generation = generation;
    }

    /** The generation these queries read (1 until a blue/green reset): a forwarded read names it, so the owner answers from the same one. */
    public int generation() {
        return generation;
    }

    public EmbeddedProjection<?> projection() {
        return projection;
    }

    /** The key's state (and the aggregate's progress at it, when asked) here, or where to ask. */
    public ProjectionLookup lookup(String key, Optional<AggregateRef> aggregate) {
        KeyQueryMetadata where;
        try {
            where = streams.queryMetadataForKey(ProjectionApplier.STATES, key, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new ProjectionLookup.NotReady("the projection is not running: " + e.getMessage());
        }
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new ProjectionLookup.NotReady("no instance owns key '" + key + "' of projection " + projection.id()
                    + " right now (starting or rebalancing)");
        }
        if (!where.activeHost().equals(self)) {
            return new ProjectionLookup.Elsewhere(where.activeHost());
        }
        try {
            byte[] state = store(ProjectionApplier.STATES, where.partition()).get(key);
            Optional<Progress> applied = aggregate.map(ref -> Progress.decode(store(ProjectionApplier.APPLIED, where.partition())
                    .get(ProjectionApplier.appliedKey(key, ref.type(), ref.id()))));
            Optional<JsonNode> tree = state == null ? Optional.empty() : Optional.of(json.tree(state));
            return new ProjectionLookup.Found(tree, applied);
        } catch (InvalidStateStoreException e) {
            return new ProjectionLookup.NotReady("the stores of projection " + projection.id() + " partition " + where.partition()
                    + " are not queryable now: " + e.getMessage());
        }
    }

    /**
     * Read-your-writes on this instance: polls {@link #lookup} until the aggregate's version
     * {@code minVersion} is applied at the key, the aggregate stopped, the key is elsewhere, or the
     * timeout passes; answers the last lookup.
     */
    public ProjectionLookup await(String key, AggregateRef aggregate, long minVersion, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ProjectionLookup lookup = lookup(key, Optional.of(aggregate));
            if (reached(lookup, minVersion) || lookup instanceof ProjectionLookup.Elsewhere || System.nanoTime() >= deadline) {
                return lookup;
            }
            Thread.sleep(20);
        }
    }

    /** True when the lookup is final for a wait on {@code minVersion}: reached, or stopped. */
    public static boolean reached(ProjectionLookup lookup, long minVersion) {
        return lookup instanceof ProjectionLookup.Found found && found.applied()
                .map(progress -> progress.version() >= minVersion || progress.stopped().isPresent()).orElse(true);
    }

    private ReadOnlyKeyValueStore<String, byte[]> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
    }
}
