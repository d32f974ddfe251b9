package foldstream.worker;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.process.ProcessType;
import foldstream.worker.app.LoggingDefaults;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.app.WorkerSetting;
import foldstream.worker.app.WorkerSettings;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.projection.Projection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The entry point of a service of your own: your aggregate types, run as a worker with every flag
 * and environment variable of {@code ops/foldstream worker} ({@code --bootstrap-servers},
 * {@code --schema-registry-url}, {@code --property KEY=VALUE}, ...).
 *
 * <pre>{@code
 * public final class BankService {
 *     public static void main(String[] args) {
 *         FoldstreamApplication.builder()
 *                 .aggregate(Customers.type())
 *                 .aggregate(BankAccounts.type())
 *                 .process(Transfers.process())      // optional: process managers (docs/workflows.md)
 *                 .projection(Balances.projection())   // optional: read models (docs/projections.md)
 *                 .run(args);   // until SIGTERM or Ctrl-C; exits with the worker's status
 *     }
 * }
 * }</pre>
 *
 * <p>A service of process managers (or projections) only, beside the services that decide the commands, adds the
 * aggregate types its processes follow and command (for their schemas and topics) and runs none of them
 * ({@code --types none} by default):
 *
 * <pre>{@code
 * FoldstreamApplication.builder()
 *         .aggregate(BankAccounts.type())
 *         .aggregate(Transfers.type())
 *         .process(Transfers.process())
 *         .withoutAggregateTypes()      // decides no commands: only the process runs here
 *         .run(args);
 * }</pre>
 *
 * <p>{@code java -jar my-service.jar --help} lists the flags. Exit status: 0 stopped cleanly, 1
 * failed while running, 2 bad settings (the message names the setting), 3 no Kafka broker answered
 * within {@code --broker-wait}.
 */
public final class FoldstreamApplication {

    private final List<AggregateType<?>> aggregates;
    private final List<Projection> projections;
    private final List<ProcessType<?>> processes;
    private final boolean withoutAggregateTypes;

    private FoldstreamApplication(List<AggregateType<?>> aggregates, List<Projection> projections, List<ProcessType<?>> processes,
                                  boolean withoutAggregateTypes) {
        this.aggregates = List.copyOf(aggregates);
        this.projections = List.copyOf(projections);
        this.processes = List.copyOf(processes);
        this.withoutAggregateTypes = withoutAggregateTypes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The aggregate types this application runs ({@code --types} picks among them). */
    public List<AggregateType<?>> aggregates() {
        return aggregates;
    }

    /** The process managers this application runs ({@code --processes} picks among them). */
    public List<ProcessType<?>> processes() {
        return processes;
    }

    /** The projections this application runs ({@code --projections} picks among them). */
    public List<Projection> projections() {
        return projections;
    }

    /**
     * Runs the worker with these arguments and the process's environment, then exits the JVM with
     * its status. Sets Foldstream's logging defaults first, so call it before anything logs.
     */
    public void run(String[] args) {
        LoggingDefaults.apply();
        System.exit(execute(args, System.getenv()));
    }

    /** Runs the worker and answers its exit status instead of exiting: for tests and embedding. */
    public int execute(String[] args, Map<String, String> env) {
        return commandLine(env).execute(args);
    }

    /** The worker's command line (picocli), to add subcommands or change its output streams. */
    public CommandLine commandLine(Map<String, String> env) {
        Map<String, String> environment = env;
        if (withoutAggregateTypes && !env.containsKey(WorkerSetting.TYPES.envVar())) {
            environment = new HashMap<>(env);
            environment.put(WorkerSetting.TYPES.envVar(), WorkerSettings.NO_TYPES);
        }
        return new CommandLine(new WorkerMain(environment, RegistryClientFactory.http(), aggregates, projections, processes));
    }

    /** Collects what the application runs. */
    public static final class Builder {

        private final List<AggregateType<?>> aggregates = new ArrayList<>();
        private final List<ProcessType<?>> processes = new ArrayList<>();
        private final List<Projection> projections = new ArrayList<>();
        private boolean withoutAggregateTypes;

        private Builder() {
        }

        /** Adds an aggregate type; its stream name must be unique in the application. */
        public Builder aggregate(AggregateType<?> type) {
            for (AggregateType<?> known : aggregates) {
                if (known.name().equals(type.name())) {
                    throw new IllegalArgumentException("aggregate type " + type.name() + " is added twice");
                }
            }
            aggregates.add(type);
            return this;
        }

        /** Adds a process manager (docs/workflows.md); its name must be unique in the application. */
        public Builder process(ProcessType<?> process) {
            for (ProcessType<?> known : processes) {
                if (known.name().equals(process.name())) {
                    throw new IllegalArgumentException("process " + process.name() + " is added twice");
                }
            }
            processes.add(process);
            return this;
        }

        /** Adds a projection; its name must be unique in the application. */
        public Builder projection(Projection projection) {
            for (Projection known : projections) {
                if (known.name().equals(projection.name())) {
                    throw new IllegalArgumentException("projection " + projection.name() + " is added twice");
                }
            }
            projections.add(projection);
            return this;
        }

        /**
         * Runs no aggregate type by default ({@code --types none}): only the process managers and
         * projections; the aggregate types added are those they follow and command, decided elsewhere.
         */
        public Builder withoutAggregateTypes() {
            withoutAggregateTypes = true;
            return this;
        }

        /**
         * @throws IllegalStateException when no aggregate type was added
         */
        public FoldstreamApplication build() {
            if (aggregates.isEmpty()) {
                throw new IllegalStateException("an application runs at least one aggregate type: add one with aggregate(...)");
            }
            if (withoutAggregateTypes && processes.isEmpty() && projections.isEmpty()) {
                throw new IllegalStateException("an application without aggregate types runs process managers or projections: "
                        + "add one with process(...) or projection(...)");
            }
            return new FoldstreamApplication(aggregates, projections, processes, withoutAggregateTypes);
        }

        /** {@code build().run(args)}. */
        public void run(String[] args) {
            build().run(args);
        }
    }
}
