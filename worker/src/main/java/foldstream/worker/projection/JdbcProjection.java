package foldstream.worker.projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * A projection into a SQL database: each event becomes the {@link SqlWrite}s its handler states, and
 * the runtime runs them in the transaction that also moves the projection's position (stored in the
 * same database), so each event's writes happen exactly once without distributed transactions.
 * Handlers are pure: they say what to write and never touch a connection, so the fixture checks
 * them without a database.
 *
 * <pre>{@code
 * JdbcProjection balances = JdbcProjection.builder("account-balances")
 *         .follows("ex_accounts")
 *         .schema("CREATE TABLE IF NOT EXISTS account_balances_v1 (account_id VARCHAR(200) PRIMARY KEY, owner VARCHAR(200),"
 *                 + " balance BIGINT NOT NULL, version BIGINT NOT NULL, updated_at BIGINT NOT NULL)")
 *         .on(MoneyDeposited.class, (deposited, meta) -> List.of(SqlWrite.of(
 *                 "UPDATE account_balances_v1 SET balance = ?, version = ?, updated_at = ? WHERE account_id = ?",
 *                 deposited.getBalance(), meta.version(), meta.timestamp().toEpochMilli(), meta.aggregateId())))
 *         .build();
 * }</pre>
 *
 * <p>A new {@link #version()} rebuilds from the first event; give its tables new names (the version
 * in the name, as above) so the old version keeps serving until the new one has caught up.
 */
public final class JdbcProjection extends Projection {

    /** The writes for one event; an empty list writes nothing (the position still moves). */
    @FunctionalInterface
    public interface Handler<E extends SpecificRecord> {
        List<SqlWrite> writes(E event, EventMeta meta);
    }

    private final List<String> schema;
    private final Map<Class<? extends SpecificRecord>, Handler<SpecificRecord>> handlers;

    private JdbcProjection(Builder builder) {
        super(builder.name, builder.version, builder.follows, builder.errorPolicy, builder.handlers.size());
        this.schema = List.copyOf(builder.schema);
        this.handlers = Map.copyOf(builder.handlers);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public Set<Class<? extends SpecificRecord>> eventClasses() {
        return handlers.keySet();
    }

    /** Statements run once at start, in order, before any event ({@code CREATE TABLE IF NOT EXISTS ...}). */
    public List<String> schema() {
        return schema;
    }

    /** What the handler of the event's type wants written. */
    public List<SqlWrite> writes(SpecificRecord event, EventMeta meta) {
        Handler<SpecificRecord> handler = handlers.get(event.getClass());
        if (handler == null) {
            throw new IllegalArgumentException("projection " + name() + " has no handler for " + event.getClass().getName());
        }
        List<SqlWrite> writes = handler.writes(event, meta);
        return writes == null ? List.of() : writes;
    }

    public static final class Builder {
        private final String name;
        private int version = 1;
        private final List<String> follows = new ArrayList<>();
        private final List<String> schema = new ArrayList<>();
        private final Map<Class<? extends SpecificRecord>, Handler<SpecificRecord>> handlers = new LinkedHashMap<>();
        private ErrorPolicy errorPolicy = ErrorPolicy.stop();

        private Builder(String name) {
            this.name = name;
        }

        public Builder version(int version) {
            this.version = version;
            return this;
        }

        public Builder follows(String... streamNames) {
            follows.addAll(Arrays.asList(streamNames));
            return this;
        }

        /** A statement run at start before any event; it must be idempotent ({@code IF NOT EXISTS}). */
        public Builder schema(String... statements) {
            schema.addAll(Arrays.asList(statements));
            return this;
        }

        @SuppressWarnings("unchecked")
        public <E extends SpecificRecord> Builder on(Class<E> eventClass, Handler<E> handler) {
            Objects.requireNonNull(handler, "handler");
            if (handlers.put(eventClass, (Handler<SpecificRecord>) handler) != null) {
                throw new IllegalArgumentException("projection " + name + " has two handlers for " + eventClass.getName());
            }
            return this;
        }

        public Builder errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public JdbcProjection build() {
            return new JdbcProjection(this);
        }
    }
}
