package foldstream.worker.projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * A projection folded into its own Kafka Streams store: per key, a state that each event changes
 * through a pure handler {@code (state, event, meta) -> state}. The key is the aggregate id, or a
 * key the projection declares per event type with {@link Builder#keyedBy} (Kafka Streams then
 * repartitions the events by it). States are plain Java values (records) that Jackson writes as
 * JSON: that is how they are stored and how {@code GET /projections/{name}/{key}} answers.
 *
 * <pre>{@code
 * public record UserEntry(String userId, String email, long registeredAt) {}
 *
 * EmbeddedProjection<UserEntry> directory = EmbeddedProjection.builder("user-directory", UserEntry.class, null)
 *         .follows("ex_users")
 *         .keyedBy(UserCreated.class, (created, meta) -> created.getEmail())
 *         .on(UserCreated.class, (entry, created, meta) ->
 *                 new UserEntry(meta.aggregateId(), created.getEmail(), meta.timestamp().toEpochMilli()))
 *         .build();
 * }</pre>
 *
 * <p>An event type with a handler but no key function goes to the key its aggregate's last keyed
 * event went to (an aggregate's later events follow its first); without any {@code keyedBy} every
 * event goes to its aggregate id.
 *
 * @param <S> the state per key; {@code initialState} (may be null) is what the first handler of a key receives
 */
public final class EmbeddedProjection<S> extends Projection {

    /** A pure step of the fold: no I/O, the same answer for the same inputs. */
    @FunctionalInterface
    public interface Handler<S, E extends SpecificRecord> {
        S apply(S state, E event, EventMeta meta);
    }

    /** The key an event's state lives under, for projections not keyed by aggregate id. */
    @FunctionalInterface
    public interface KeyFunction<E extends SpecificRecord> {
        String key(E event, EventMeta meta);
    }

    private final Class<S> stateClass;
    private final S initialState;
    private final Map<Class<? extends SpecificRecord>, Handler<S, SpecificRecord>> handlers;
    private final Map<Class<? extends SpecificRecord>, KeyFunction<SpecificRecord>> keys;
    private final boolean publishes;

    private EmbeddedProjection(Builder<S> builder) {
        super(builder.name, builder.version, builder.follows, builder.errorPolicy, builder.handlers.size());
        this.stateClass = builder.stateClass;
        this.initialState = builder.initialState;
        this.handlers = Map.copyOf(builder.handlers);
        this.keys = Map.copyOf(builder.keys);
        this.publishes = builder.publishes;
    }

    public static <S> Builder<S> builder(String name, Class<S> stateClass, S initialState) {
        return new Builder<>(name, stateClass, initialState);
    }

    @Override
    public Set<Class<? extends SpecificRecord>> eventClasses() {
        return handlers.keySet();
    }

    public Class<S> stateClass() {
        return stateClass;
    }

    public S initialState() {
        return initialState;
    }

    /**
     * True when every new state is also published to the compacted topic
     * {@code <application id>-state} (key: the projection key; value: the state's JSON), for other
     * services to read or join.
     */
    public boolean publishes() {
        return publishes;
    }

    /** True when some event type declares its own key: events are then repartitioned by it. */
    public boolean keyedOtherwise() {
        return !keys.isEmpty();
    }

    /** The key the event declares, or empty when its type declares none. */
    public Optional<String> declaredKey(SpecificRecord event, EventMeta meta) {
        KeyFunction<SpecificRecord> key = keys.get(event.getClass());
        return key == null ? Optional.empty() : Optional.ofNullable(key.key(event, meta));
    }

    /** The next state of a key: the handler of the event's type applied to {@code state}. */
    public S apply(S state, SpecificRecord event, EventMeta meta) {
        Handler<S, SpecificRecord> handler = handlers.get(event.getClass());
        if (handler == null) {
            throw new IllegalArgumentException("projection " + name() + " has no handler for " + event.getClass().getName());
        }
        return handler.apply(state, event, meta);
    }

    public static final class Builder<S> {
        private final String name;
        private final Class<S> stateClass;
        private final S initialState;
        private int version = 1;
        private final List<String> follows = new ArrayList<>();
        private final Map<Class<? extends SpecificRecord>, Handler<S, SpecificRecord>> handlers = new LinkedHashMap<>();
        private final Map<Class<? extends SpecificRecord>, KeyFunction<SpecificRecord>> keys = new LinkedHashMap<>();
        private ErrorPolicy errorPolicy = ErrorPolicy.stop();
        private boolean publishes;

        private Builder(String name, Class<S> stateClass, S initialState) {
            this.name = name;
            this.stateClass = Objects.requireNonNull(stateClass, "stateClass");
            this.initialState = initialState;
        }

        public Builder<S> version(int version) {
            this.version = version;
            return this;
        }

        public Builder<S> follows(String... streamNames) {
            follows.addAll(Arrays.asList(streamNames));
            return this;
        }

        @SuppressWarnings("unchecked")
        public <E extends SpecificRecord> Builder<S> on(Class<E> eventClass, Handler<S, E> handler) {
            Objects.requireNonNull(handler, "handler");
            if (handlers.put(eventClass, (Handler<S, SpecificRecord>) handler) != null) {
                throw new IllegalArgumentException("projection " + name + " has two handlers for " + eventClass.getName());
            }
            return this;
        }

        /** Keys the states of this event type by what {@code key} answers rather than by aggregate id. */
        @SuppressWarnings("unchecked")
        public <E extends SpecificRecord> Builder<S> keyedBy(Class<E> eventClass, KeyFunction<E> key) {
            keys.put(eventClass, (KeyFunction<SpecificRecord>) Objects.requireNonNull(key, "key"));
            return this;
        }

        public Builder<S> errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Also publishes every new state to the projection's compacted topic (see {@link EmbeddedProjection#publishes()}). */
        public Builder<S> publish() {
            this.publishes = true;
            return this;
        }

        public EmbeddedProjection<S> build() {
            for (Class<?> keyed : keys.keySet()) {
                if (!handlers.containsKey(keyed)) {
                    throw new IllegalArgumentException("projection " + name + " declares a key for " + keyed.getName()
                            + " but has no handler for it");
                }
            }
            return new EmbeddedProjection<>(this);
        }
    }
}
