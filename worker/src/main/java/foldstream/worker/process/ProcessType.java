package foldstream.worker.process;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * One registered process manager: its name (which names its Kafka Streams application and stores),
 * its state record, the events it follows (of any aggregate types, by their stream names) and the
 * commands it may send (by target type).
 *
 * <pre>{@code
 * ProcessType<TransferProcessState> transfer = ProcessType.builder("transfer", TransferProcessState.class, new TransferProcess())
 *         .follows("ex_transfers", TransferRequested.class)
 *         .sends("ex_accounts", Withdraw.class, Deposit.class)
 *         .sends("ex_transfers", CompleteTransfer.class, FailTransfer.class)
 *         .build();
 * }</pre>
 *
 * @param <S> the state record of one instance
 */
public final class ProcessType<S extends SpecificRecord> {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._]{1,100}");

    private final String name;
    private final Class<S> stateClass;
    private final ProcessManager<S> manager;
    private final Map<String, Set<Class<? extends SpecificRecord>>> follows;
    private final Map<String, Set<Class<? extends SpecificRecord>>> sends;

    private ProcessType(Builder<S> builder) {
        this.name = builder.name;
        this.stateClass = builder.stateClass;
        this.manager = builder.manager;
        Map<String, Set<Class<? extends SpecificRecord>>> f = new LinkedHashMap<>();
        builder.follows.forEach((type, events) -> f.put(type, Set.copyOf(events)));
        this.follows = Map.copyOf(f);
        Map<String, Set<Class<? extends SpecificRecord>>> s = new LinkedHashMap<>();
        builder.sends.forEach((type, commands) -> s.put(type, Set.copyOf(commands)));
        this.sends = Map.copyOf(s);
    }

    public static <S extends SpecificRecord> Builder<S> builder(String name, Class<S> stateClass, ProcessManager<S> manager) {
        return new Builder<>(name, stateClass, manager);
    }

    /** The process's name, for example {@code transfer}. */
    public String name() {
        return name;
    }

    public Class<S> stateClass() {
        return stateClass;
    }

    public ProcessManager<S> manager() {
        return manager;
    }

    /** Followed event types by the stream name of the aggregate type that writes them. */
    public Map<String, Set<Class<? extends SpecificRecord>>> follows() {
        return follows;
    }

    /** The command types it may send, by the stream name of the target type. */
    public Map<String, Set<Class<? extends SpecificRecord>>> sends() {
        return sends;
    }

    /** Every aggregate type it reads from or sends to. */
    public Set<String> aggregateTypes() {
        Set<String> all = new LinkedHashSet<>(follows.keySet());
        all.addAll(sends.keySet());
        return all;
    }

    /** Whether it may send this command to this type. */
    public boolean maySend(String aggregateType, Class<?> commandClass) {
        Set<Class<? extends SpecificRecord>> commands = sends.get(aggregateType);
        return commands != null && commands.contains(commandClass);
    }

    @Override
    public String toString() {
        return "ProcessType[" + name + "]";
    }

    /** Builds a {@link ProcessType}; see the class example. */
    public static final class Builder<S extends SpecificRecord> {
        private final String name;
        private final Class<S> stateClass;
        private final ProcessManager<S> manager;
        private final Map<String, Set<Class<? extends SpecificRecord>>> follows = new LinkedHashMap<>();
        private final Map<String, Set<Class<? extends SpecificRecord>>> sends = new LinkedHashMap<>();

        private Builder(String name, Class<S> stateClass, ProcessManager<S> manager) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("process name '" + name
                        + "' must be 1 to 100 letters, digits, '.' or '_': it becomes part of Kafka names");
            }
            this.name = name;
            this.stateClass = Objects.requireNonNull(stateClass, "stateClass");
            this.manager = Objects.requireNonNull(manager, "manager");
        }

        /** Events of the aggregate type {@code aggregateType} (its stream name) that {@code route} is asked about. */
        @SafeVarargs
        public final Builder<S> follows(String aggregateType, Class<? extends SpecificRecord>... events) {
            add(follows, aggregateType, events);
            return this;
        }

        /** Commands it may send to the aggregate type {@code aggregateType}; sending any other fails the instance. */
        @SafeVarargs
        public final Builder<S> sends(String aggregateType, Class<? extends SpecificRecord>... commands) {
            add(sends, aggregateType, commands);
            return this;
        }

        private static void add(Map<String, Set<Class<? extends SpecificRecord>>> map, String type,
                                Class<? extends SpecificRecord>[] classes) {
            Objects.requireNonNull(type, "aggregateType");
            if (classes.length == 0) {
                throw new IllegalArgumentException("name at least one record type of " + type);
            }
            Set<Class<? extends SpecificRecord>> set = map.computeIfAbsent(type, t -> new LinkedHashSet<>());
            for (Class<? extends SpecificRecord> c : classes) {
                set.add(Objects.requireNonNull(c));
                SpecificData.get().getSchema(c);   // fails early for a class that is not a generated record
            }
        }

        public ProcessType<S> build() {
            if (follows.isEmpty()) {
                throw new IllegalStateException(name + " follows no events");
            }
            if (sends.isEmpty()) {
                throw new IllegalStateException(name + " sends no commands");
            }
            return new ProcessType<>(this);
        }
    }
}
