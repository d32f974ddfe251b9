package foldstream.worker.projection;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/**
 * A read model built from the events of one or more aggregate types: plain Java, like an aggregate.
 * Two kinds, one way of writing handlers:
 * <ul>
 *   <li>{@link EmbeddedProjection}: a pure fold of {@code (state, event, meta)} per key into the
 *       projection's own Kafka Streams stores, queryable over the worker's HTTP API;</li>
 *   <li>{@link JdbcProjection}: each event becomes SQL writes, run in the database transaction that
 *       also moves the projection's position.</li>
 * </ul>
 * A projection's {@link #version()} names its stores, tables of positions and consumer group: a new
 * version rebuilds from the first event beside the old one (see docs/projections.md).
 */
public sealed interface Projection permits EmbeddedProjection, JdbcProjection {

    /** Letters, digits, '.', '_' and '-': the name goes into Kafka topic and group names. */
    Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

    String name();

    /** 1 for a new projection; raise it to rebuild from the start beside the old version. */
    int version();

    /** The stream names of the aggregate types whose events it reads, for example {@code ex_accounts}. */
    List<String> follows();

    /** The event record classes it has handlers for; other events only move its position. */
    Set<Class<? extends SpecificRecord>> eventClasses();

    ErrorPolicy errorPolicy();

    /** {@code name-vN}: what its group, stores and positions are named after. */
    default String id() {
        return name() + "-v" + version();
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a projection name must be 1 to 100 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        return name;
    }

    static int checkVersion(int version) {
        if (version < 1) {
            throw new IllegalArgumentException("a projection version must be 1 or more, was " + version);
        }
        return version;
    }

    static List<String> checkFollows(List<String> follows, String name) {
        if (follows.isEmpty()) {
            throw new IllegalArgumentException("projection " + name + " follows no aggregate type; say which with follows(...)");
        }
        return List.copyOf(follows);
    }
}
