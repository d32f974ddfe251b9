package foldstream.worker.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * One registered aggregate type: its stream name (which names its topics), its behaviour, its
 * command, event and state records, which commands create, and how it is stored. This is what
 * Extreme.System's {@code CommandConfiguration} mapped: a module to a stream name.
 *
 * <pre>{@code
 * AggregateType<UserState> users = AggregateType.builder("ex_users", UserState.class, new Users())
 *         .command(RegisterUser.class, Creation.CREATES)
 *         .command(UpdateProfile.class)                 // needs an existing user
 *         .events(UserCreated.class, ProfileSet.class)
 *         .build();
 * }</pre>
 *
 * @param <S> the state record
 */
public final class AggregateType<S extends SpecificRecord> {

    private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9._]{1,200}");

    private final String name;
    private final Class<S> stateClass;
    private final Aggregate<S> aggregate;
    private final Map<Class<? extends SpecificRecord>, Creation> commands;
    private final Set<Class<? extends SpecificRecord>> events;
    private final StorageMode storageMode;
    private final boolean publishState;
    private final List<Upcast> upcasts;

    private AggregateType(Builder<S> builder) {
        this.name = builder.name;
        this.stateClass = builder.stateClass;
        this.aggregate = builder.aggregate;
        this.commands = Map.copyOf(builder.commands);
        this.events = Set.copyOf(builder.events);
        this.storageMode = builder.storageMode;
        this.publishState = builder.publishState;
        this.upcasts = List.copyOf(builder.upcasts);
    }

    /** Starts the registration of a type whose topics are {@code <name>-commands}, {@code <name>-events}, .... */
    public static <S extends SpecificRecord> Builder<S> builder(String name, Class<S> stateClass, Aggregate<S> aggregate) {
        return new Builder<>(name, stateClass, aggregate);
    }

    /** The stream name, for example {@code ex_users}; it prefixes every topic of the type. */
    public String name() {
        return name;
    }

    public Class<S> stateClass() {
        return stateClass;
    }

    public Schema stateSchema() {
        return SpecificData.get().getSchema(stateClass);
    }

    public Aggregate<S> aggregate() {
        return aggregate;
    }

    /** Registered command types and their creation rule. */
    public Map<Class<? extends SpecificRecord>, Creation> commands() {
        return commands;
    }

    /** Registered event types. */
    public Set<Class<? extends SpecificRecord>> events() {
        return events;
    }

    public StorageMode storageMode() {
        return storageMode;
    }

    /** How events written under old schemas are read today, in registration order (the first that applies wins). */
    public List<Upcast> upcasts() {
        return upcasts;
    }

    /** Whether the latest state of each aggregate is also published to the compacted {@code S-state} topic. */
    public boolean publishesState() {
        return publishState || storageMode == StorageMode.SNAPSHOTS_ONLY;
    }

    /**
     * The command type named {@code name}: its record's full name
     * ({@code foldstream.examples.accounts.Deposit}) or, when no other command shares it, its simple
     * name ({@code Deposit}). This is how HTTP and the command line name commands.
     */
    public Optional<Class<? extends SpecificRecord>> commandNamed(String name) {
        List<Class<? extends SpecificRecord>> simple = new ArrayList<>();
        for (Class<? extends SpecificRecord> command : commands.keySet()) {
            Schema schema = SpecificData.get().getSchema(command);
            if (schema.getFullName().equals(name)) {
                return Optional.of(command);
            }
            if (schema.getName().equals(name)) {
                simple.add(command);
            }
        }
        return simple.size() == 1 ? Optional.of(simple.get(0)) : Optional.empty();
    }

    /** The commands' simple record names, sorted: for messages that list them. */
    public List<String> commandNames() {
        return commands.keySet().stream().map(command -> SpecificData.get().getSchema(command).getName()).sorted().toList();
    }

    /** The creation rule of a command type, or {@code null} when the type does not handle that command. */
    public Creation creationOf(Class<?> commandClass) {
        return commands.get(commandClass);
    }

    public boolean handlesEvent(Class<?> eventClass) {
        return events.contains(eventClass);
    }

    /** The same aggregate under another stream name, so on other topics (benchmarks and tests run copies side by side). */
    public AggregateType<S> withName(String streamName) {
        return toBuilder(streamName).build();
    }

    /** The same type with another storage mode. */
    public AggregateType<S> withStorageMode(StorageMode mode) {
        return toBuilder().storageMode(mode).build();
    }

    /** The same type, publishing its latest states to {@code S-state} or not. */
    public AggregateType<S> withPublishedState(boolean publish) {
        return toBuilder().publishState(publish).build();
    }

    private Builder<S> toBuilder() {
        return toBuilder(name);
    }

    private Builder<S> toBuilder(String streamName) {
        Builder<S> builder = builder(streamName, stateClass, aggregate).storageMode(storageMode).publishState(publishState);
        commands.forEach(builder::command);
        builder.events.addAll(events);
        builder.upcasts.addAll(upcasts);
        return builder;
    }

    @Override
    public String toString() {
        return "AggregateType[" + name + "]";
    }

    /** Builds an {@link AggregateType}; see the class example. */
    public static final class Builder<S extends SpecificRecord> {
        private final String name;
        private final Class<S> stateClass;
        private final Aggregate<S> aggregate;
        private final Map<Class<? extends SpecificRecord>, Creation> commands = new LinkedHashMap<>();
        private final Set<Class<? extends SpecificRecord>> events = new LinkedHashSet<>();
        private StorageMode storageMode = StorageMode.EVENTS_AND_SNAPSHOTS;
        private boolean publishState;
        private final List<Upcast> upcasts = new ArrayList<>();

        private Builder(String name, Class<S> stateClass, Aggregate<S> aggregate) {
            Objects.requireNonNull(name, "name");
            if (!STREAM_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("stream name '" + name
                        + "' must be 1 to 200 letters, digits, '.' or '_': it becomes part of Kafka topic names");
            }
            this.name = name;
            this.stateClass = Objects.requireNonNull(stateClass, "stateClass");
            this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
        }

        /** A command that needs an existing aggregate ({@link Creation#REQUIRES_EXISTING}). */
        public Builder<S> command(Class<? extends SpecificRecord> commandClass) {
            return command(commandClass, Creation.REQUIRES_EXISTING);
        }

        /** A command with its creation rule. */
        public Builder<S> command(Class<? extends SpecificRecord> commandClass, Creation creation) {
            Objects.requireNonNull(commandClass, "commandClass");
            Objects.requireNonNull(creation, "creation");
            if (commands.putIfAbsent(commandClass, creation) != null) {
                throw new IllegalArgumentException(commandClass.getName() + " is registered twice for " + name);
            }
            return this;
        }

        /** The event types that {@code decide} may emit. */
        @SafeVarargs
        public final Builder<S> events(Class<? extends SpecificRecord>... eventClasses) {
            for (Class<? extends SpecificRecord> eventClass : eventClasses) {
                events.add(Objects.requireNonNull(eventClass, "eventClass"));
            }
            return this;
        }

        public Builder<S> storageMode(StorageMode mode) {
            this.storageMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Also publish each aggregate's latest state to the compacted {@code S-state} topic. */
        public Builder<S> publishState(boolean publish) {
            this.publishState = publish;
            return this;
        }

        /**
         * Events written as {@code writtenAs} (a full Avro name no registered event class has any
         * more) are read through {@code upcaster}. See {@link Upcaster}.
         */
        public Builder<S> upcast(String writtenAs, Upcaster upcaster) {
            return upcast(writtenAs, schema -> true, upcaster);
        }

        /**
         * Events written as {@code writtenAs} with a writer schema that passes {@code writtenWith} are
         * read through {@code upcaster}: for a change of meaning under one name, e.g.
         * {@code schema -> schema.getField("euros") != null}.
         */
        public Builder<S> upcast(String writtenAs, Predicate<Schema> writtenWith, Upcaster upcaster) {
            upcasts.add(new Upcast(writtenAs, writtenWith, upcaster));
            return this;
        }

        public AggregateType<S> build() {
            if (commands.isEmpty()) {
                throw new IllegalStateException(name + " has no command types");
            }
            if (events.isEmpty() && storageMode != StorageMode.SNAPSHOTS_ONLY) {
                throw new IllegalStateException(name + " has no event types");
            }
            for (Class<? extends SpecificRecord> command : commands.keySet()) {
                if (events.contains(command)) {
                    throw new IllegalStateException(command.getName() + " is registered as both command and event of " + name);
                }
            }
            return new AggregateType<>(this);
        }
    }
}
