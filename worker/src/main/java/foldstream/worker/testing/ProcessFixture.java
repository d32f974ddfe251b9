package foldstream.worker.testing;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.protocol.ProcessCommand;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Route;
import foldstream.worker.process.SendCommand;
import foldstream.worker.process.runtime.ProcessEngine;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Tests a process manager without Kafka: given events and results, when an event, a result or the
 * passing of time, then these commands, deadlines and state. It runs the same core as the runtime
 * (routing, {@code react}, deadlines, finishing, writing the records in Avro), on a clock that only
 * moves when told.
 *
 * <pre>{@code
 * ProcessFixture.of(TransferProcess.type())
 *         .givenEvent("ex_transfers", "T1", new TransferRequested("alice", "bob", 10L))
 *         .whenResult(Withdraw.class, Outcome.ACCEPTED)
 *         .expectCommands(SendCommand.to("ex_accounts", "bob", new Deposit(10L)))
 *         .whenResult(Deposit.class, Outcome.NOT_FOUND)
 *         .expectCommands(SendCommand.to("ex_accounts", "alice", new Deposit(10L)));   // the refund
 *
 * ProcessFixture.of(TransferProcess.type())
 *         .givenEvent("ex_transfers", "T1", new TransferRequested("alice", "bob", 10L))
 *         .whenTimeElapses(Duration.ofSeconds(30))
 *         .expectCommands(SendCommand.to("ex_transfers", "T1", new FailTransfer("...")));
 * }</pre>
 *
 * <p>Results answer the oldest command of the given type that has none yet. Failed expectations throw
 * {@link AssertionError}, so it works with any test framework.
 *
 * @param <S> the process's state record
 */
public final class ProcessFixture<S extends SpecificRecord> {

    private final ProcessType<S> type;
    private final ProcessEngine<S> engine;
    private final Map<String, ProcessSnapshot> instances = new LinkedHashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private int events;

    private ProcessFixture(ProcessType<S> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.engine = new ProcessEngine<>(type, new AvroWireCodec(new InMemorySchemaRegistry(), true));
    }

    public static <S extends SpecificRecord> ProcessFixture<S> of(ProcessType<S> type) {
        return new ProcessFixture<>(type);
    }

    /** The fixture's clock: it starts at 2030-01-01T00:00:00Z and moves only with {@link #whenTimeElapses}. */
    public Instant now() {
        return now;
    }

    /** An event of a followed type, routed and reacted to as the runtime would. */
    public ProcessFixture<S> givenEvent(String aggregateType, String aggregateId, SpecificRecord event) {
        whenEvent(aggregateType, aggregateId, event);
        return this;
    }

    /** The result of the oldest command of this type that has none yet. */
    public ProcessFixture<S> givenResult(Class<? extends SpecificRecord> command, Outcome outcome) {
        whenResult(command, outcome);
        return this;
    }

    public Then whenEvent(String aggregateType, String aggregateId, SpecificRecord event) {
        var followed = type.follows().get(aggregateType);
        if (followed == null || !followed.contains(event.getClass())) {
            throw new IllegalArgumentException(type.name() + " does not follow " + event.getSchema().getFullName()
                    + " of " + aggregateType + "; it follows " + type.follows());
        }
        long version = versions.merge(aggregateType + "/" + aggregateId, 1L, Long::sum);
        String eventId = "event-" + (++events);
        EventMeta meta = new EventMeta(aggregateType, aggregateId, version, eventId, "correlation-" + eventId, now);
        Route route = type.manager().route(event, meta);
        if (route instanceof Route.Ignore) {
            return new Then(null, new ProcessEngine.Step(null, List.of(), "routed nowhere"));
        }
        String id = route instanceof Route.Start start ? start.instanceId() : ((Route.Continue) route).instanceId();
        return apply(id, new ProcessEngine.EventInput(event, meta, route instanceof Route.Start));
    }

    /** Answers the oldest command of this type without a result: {@code ACCEPTED} and {@code NO_CHANGE} as such, others refused. */
    public Then whenResult(Class<? extends SpecificRecord> command, Outcome outcome) {
        return whenResult(command, outcome, outcome == Outcome.ACCEPTED || outcome == Outcome.NO_CHANGE ? null : outcome.name(), null);
    }

    public Then whenResult(Class<? extends SpecificRecord> command, Outcome outcome, String errorCode, String message) {
        String commandType = SpecificData.get().getSchema(command).getFullName();
        for (ProcessSnapshot instance : instances.values()) {
            for (ProcessCommand sent : instance.getCommands()) {
                if (sent.getOutcome() == null && sent.getCommandType().equals(commandType)) {
                    CommandResult result = new CommandResult(sent.getCommandId(), sent.getAggregateType(), sent.getAggregateId(),
                            outcome, 1L, outcome == Outcome.ACCEPTED ? 1 : 0, errorCode, message, List.of(), now);
                    return apply(instance.getInstanceId(), new ProcessEngine.ResultInput(result));
                }
            }
        }
        throw new IllegalStateException("no " + commandType + " is waiting for its result");
    }

    /** Moves the clock and fires the deadlines that came due, in order; the Then shows all their commands. */
    public Then whenTimeElapses(Duration duration) {
        Instant until = now.plus(duration);
        List<ProcessEngine.Outgoing> sent = new ArrayList<>();
        String last = null;
        while (true) {
            ProcessSnapshot dueInstance = null;
            ProcessDeadline due = null;
            for (ProcessSnapshot instance : instances.values()) {
                for (ProcessDeadline deadline : instance.getDeadlines()) {
                    if (!deadline.getDueAt().isAfter(until) && (due == null || deadline.getDueAt().isBefore(due.getDueAt()))) {
                        due = deadline;
                        dueInstance = instance;
                    }
                }
            }
            if (due == null) {
                break;
            }
            now = due.getDueAt().isAfter(now) ? due.getDueAt() : now;
            last = dueInstance.getInstanceId();
            Then fired = apply(last, new ProcessEngine.DeadlineInput(due.getName(), due.getDueAt()));
            sent.addAll(fired.step.commands());
        }
        now = until;
        return new Then(last, new ProcessEngine.Step(last == null ? null : instances.get(last), sent, last == null ? "no deadline due" : null));
    }

    /** The stored instance, as {@code GET /processes/{name}/{id}} shows it; null when there is none. */
    public ProcessSnapshot instance(String instanceId) {
        return instances.get(instanceId);
    }

    private Then apply(String instanceId, ProcessEngine.Input input) {
        ProcessEngine.Step step = engine.handle(instances.get(instanceId), instanceId, input, now);
        if (step.next() != null) {
            instances.put(instanceId, step.next());
        }
        return new Then(instanceId, step);
    }

    /** What one input did, with expectations to check; the {@code when} methods go on from here. */
    public final class Then {
        private final String instanceId;
        private final ProcessEngine.Step step;

        private Then(String instanceId, ProcessEngine.Step step) {
            this.instanceId = instanceId;
            this.step = step;
        }

        /** The commands sent, in order. */
        public List<SendCommand> commands() {
            return step.commands().stream().map(ProcessEngine.Outgoing::command).toList();
        }

        /** The command ids the runtime would give them. */
        public List<String> commandIds() {
            return step.commands().stream().map(ProcessEngine.Outgoing::commandId).toList();
        }

        public Then expectCommands(SendCommand... expected) {
            if (!commands().equals(List.of(expected))) {
                throw new AssertionError("expected commands " + List.of(expected) + " but " + describe());
            }
            return this;
        }

        public Then expectNoCommands() {
            return expectCommands();
        }

        /** The instance's pending deadlines, by name, in any order. */
        public Then expectDeadlines(String... names) {
            List<String> pending = instance().getDeadlines().stream().map(ProcessDeadline::getName).sorted().toList();
            if (!pending.equals(java.util.Arrays.stream(names).sorted().toList())) {
                throw new AssertionError("expected deadlines " + List.of(names) + " but pending are " + pending);
            }
            return this;
        }

        /** A pending deadline, due {@code after} from now. */
        public Then expectDeadline(String name, Duration after) {
            Instant at = instance().getDeadlines().stream().filter(d -> d.getName().equals(name)).map(ProcessDeadline::getDueAt)
                    .findFirst().orElseThrow(() -> new AssertionError("no deadline " + name + "; pending: " + instance().getDeadlines()));
            if (!at.equals(now.plus(after))) {
                throw new AssertionError("deadline " + name + " is due at " + at + ", not " + now.plus(after));
            }
            return this;
        }

        public Then expectState(S expected) {
            S state = engine.state(instance());
            if (!Objects.equals(state, expected)) {
                throw new AssertionError("expected state " + expected + " but was " + state);
            }
            return this;
        }

        public S state() {
            return engine.state(instance());
        }

        public Then expectFinished() {
            return expectStatus(ProcessStatus.FINISHED);
        }

        public Then expectRunning() {
            return expectStatus(ProcessStatus.ACTIVE);
        }

        /** {@code react} threw or answered something the runtime cannot send; the instance takes no more input. */
        public Then expectFailed() {
            return expectStatus(ProcessStatus.FAILED);
        }

        /** The input reached no instance, or changed nothing. */
        public Then expectIgnored() {
            if (step.ignored() == null) {
                throw new AssertionError("expected the input to be ignored but " + describe());
            }
            return this;
        }

        private Then expectStatus(ProcessStatus expected) {
            ProcessSnapshot instance = instance();
            if (instance.getStatus() != expected) {
                throw new AssertionError("expected the instance to be " + expected + " but it is " + instance.getStatus()
                        + (instance.getError() == null ? "" : ": " + instance.getError()));
            }
            return this;
        }

        private ProcessSnapshot instance() {
            ProcessSnapshot instance = instanceId == null ? null : instances.get(instanceId);
            if (instance == null) {
                throw new AssertionError("no instance: " + (step.ignored() == null ? "none was started" : step.ignored()));
            }
            return instance;
        }

        private String describe() {
            return step.ignored() != null ? "the input was ignored (" + step.ignored() + ")" : "it sent " + commands();
        }

        public Then whenEvent(String aggregateType, String aggregateId, SpecificRecord event) {
            return ProcessFixture.this.whenEvent(aggregateType, aggregateId, event);
        }

        public Then whenResult(Class<? extends SpecificRecord> command, Outcome outcome) {
            return ProcessFixture.this.whenResult(command, outcome);
        }

        public Then whenTimeElapses(Duration duration) {
            return ProcessFixture.this.whenTimeElapses(duration);
        }
    }

}
