package foldstream.worker.projection;

import java.util.List;
import java.util.Objects;
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
 *
 * <pre>{@code
 * Projection directory = EmbeddedProjection.builder("user-directory", UserEntry.class, null).follows("ex_users")...build();
 * directory.id()   // "user-directory-v1"
 * }</pre>
 */
public abstract sealed class Projection permits EmbeddedProjection, JdbcProjection {

    /** Letters, digits, '.', '_' and '-': the name goes into Kafka topic and group names. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

    private final String name;
    private final int version;
    private final List<String> follows;
    private final ErrorPolicy errorPolicy;

    Projection(String name, int version, List<String> follows, ErrorPolicy errorPolicy, int handlers) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a projection name must be 1 to 100 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("a projection version must be 1 or more, was " + version);
        }
        if (follows.isEmpty()) {
            throw new IllegalArgumentException("projection " + name + " follows no aggregate type; say which with follows(...)");
        }
        if (handlers == 0) {
            throw new IllegalArgumentException("projection " + name + " has no handler; add one with on(EventClass, handler)");
        }
        this.name = name;
        this.version = version;
        this.follows = List.copyOf(follows);
        this.errorPolicy = Objects.requireNonNull(errorPolicy, "errorPolicy");
    }

    public final String name() {
        return name;
    }

    /** 1 for a new projection; raise it to rebuild from the start beside the old version. */
    public final int version() {
        return version;
    }

    /** The stream names of the aggregate types whose events it reads, for example {@code ex_accounts}. */
    public final List<String> follows() {
        return follows;
    }

    public final ErrorPolicy errorPolicy() {
        return errorPolicy;
    }

    /** {@code name-vN}: what its group, stores and positions are named after. */
    public final String id() {
        return name + "-v" + version;
    }

    /** The event record classes it has handlers for; other events only move its position. */
    public abstract Set<Class<? extends SpecificRecord>> eventClasses();

    /** True when it has a handler for events of this class. */
    public final boolean handles(Class<?> eventClass) {
        return eventClasses().contains(eventClass);
    }
}
