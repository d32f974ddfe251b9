package foldstream.worker.process.runtime;

import foldstream.protocol.CommandResult;
import foldstream.protocol.ProcessCommand;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import foldstream.worker.process.DeadlineChange;
import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessInput;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Reaction;
import foldstream.worker.process.SendCommand;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.serialization.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * One input applied to one process instance: the pure core that the runtime ({@link ProcessRunner})
 * and the test fixture share. It decides whether the input reaches {@code react}, calls it, checks
 * and encodes what it answers, and derives the command ids: the name-based UUID of (process,
 * instance, trigger, index), where the trigger is the event id, the answered command id or the
 * deadline, so that running the same input again yields the very same commands.
 *
 * @param <S> the process's state record
 */
public final class ProcessEngine<S extends SpecificRecord> {

    private final ProcessType<S> type;
    private final AvroWireCodec codec;
    private final String stateSubject;

    public ProcessEngine(ProcessType<S> type, AvroWireCodec codec) {
        this.type = type;
        this.codec = codec;
        this.stateSubject = stateSubject(type.name());
    }

    /** The registry subject of a process's state records. */
    public static String stateSubject(String process) {
        return process + "-process-state-value";
    }

    /** The {@code process-id} header of the commands an instance sends: {@code <process>/<instance>}. */
    public static String processId(String process, String instanceId) {
        return process + "/" + instanceId;
    }

    public ProcessType<S> type() {
        return type;
    }

    /** What reaches an instance, as the runtime read it. */
    public sealed interface Input permits EventInput, ResultInput, DeadlineInput {
    }

    /** An event routed here; {@code start} when the route said to start the instance. */
    public record EventInput(SpecificRecord event, EventMeta meta, boolean start) implements Input {
    }

    public record ResultInput(CommandResult result) implements Input {
    }

    public record DeadlineInput(String name, Instant dueAt) implements Input {
    }

    /** A command to put on {@code topic}, encoded, with its headers' values. */
    public record Outgoing(String topic, String commandId, SendCommand command, byte[] value, String correlationId,
                           String causationId, String processId) {
    }

    /**
     * What one input did.
     *
     * @param next the instance to store; {@code null} when the input changed nothing (then {@code ignored} says why)
     */
    public record Step(ProcessSnapshot next, List<Outgoing> commands, String ignored) {
        static Step ignored(String why) {
            return new Step(null, List.of(), why);
        }
    }

    /** The instance's state record. */
    public S state(ProcessSnapshot snapshot) {
        ByteBuffer buffer = snapshot.getState().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return codec.decode(bytes, type.stateClass());
    }

    public Step handle(ProcessSnapshot current, String instanceId, Input input, Instant now) {
        if (input instanceof EventInput event) {
            return event(current, instanceId, event, now);
        }
        if (input instanceof ResultInput result) {
            return result(current, result.result(), now);
        }
        return deadline(current, (DeadlineInput) input, now);
    }

    private Step event(ProcessSnapshot current, String instanceId, EventInput input, Instant now) {
        ProcessSnapshot base = current;
        if (base == null) {
            if (!input.start()) {
                return Step.ignored("no running instance " + instanceId + " to continue");
            }
            base = ProcessSnapshot.newBuilder()
                    .setProcess(type.name()).setInstanceId(instanceId).setStatus(ProcessStatus.ACTIVE).setStep(0)
                    .setState(ByteBuffer.wrap(codec.encode(stateSubject, type.manager().initialState())))
                    .setCorrelationId(input.meta().correlationId())
                    .setStartedAt(now).setUpdatedAt(now).setFinishedAt(null).setError(null)
                    .setDeadlines(new ArrayList<>()).setCommands(new ArrayList<>())
                    .build();
        } else if (base.getStatus() != ProcessStatus.ACTIVE) {
            return Step.ignored("instance " + instanceId + " is " + base.getStatus() + (input.start() ? "; not started again" : ""));
        }
        String correlation = input.meta().correlationId() != null ? input.meta().correlationId() : base.getCorrelationId();
        return react(base, new ProcessInput.Event(input.event(), input.meta()), "event:" + input.meta().eventId(),
                input.meta().eventId(), correlation, now);
    }

    private Step result(ProcessSnapshot current, CommandResult result, Instant now) {
        if (current == null) {
            return Step.ignored("no instance for the result of " + result.getCommandId());
        }
        List<ProcessCommand> commands = new ArrayList<>(current.getCommands());
        int index = -1;
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).getCommandId().equals(result.getCommandId())) {
                index = i;
            }
        }
        if (index < 0) {
            return Step.ignored("command " + result.getCommandId() + " was not sent by " + current.getInstanceId());
        }
        ProcessCommand sent = commands.get(index);
        if (sent.getOutcome() != null) {
            return Step.ignored("command " + result.getCommandId() + " already has its result");
        }
        commands.set(index, ProcessCommand.newBuilder(sent).setOutcome(result.getOutcome())
                .setErrorCode(result.getErrorCode()).setMessage(result.getMessage()).build());
        ProcessSnapshot recorded = ProcessSnapshot.newBuilder(current).setCommands(commands).build();
        if (current.getStatus() != ProcessStatus.ACTIVE) {
            recorded.setUpdatedAt(now);
            return new Step(recorded, List.of(), null);
        }
        return react(recorded, new ProcessInput.Result(sent.getCommandType(), result), "result:" + result.getCommandId(),
                result.getCommandId(), current.getCorrelationId(), now);
    }

    private Step deadline(ProcessSnapshot current, DeadlineInput input, Instant now) {
        if (current == null || current.getStatus() != ProcessStatus.ACTIVE) {
            return Step.ignored("no running instance for deadline " + input.name());
        }
        List<ProcessDeadline> deadlines = new ArrayList<>(current.getDeadlines());
        boolean removed = deadlines.removeIf(d -> d.getName().equals(input.name()) && d.getDueAt().equals(input.dueAt()));
        if (!removed) {
            return Step.ignored("deadline " + input.name() + " at " + input.dueAt() + " was moved or cancelled");
        }
        ProcessSnapshot base = ProcessSnapshot.newBuilder(current).setDeadlines(deadlines).build();
        String trigger = "deadline:" + input.name() + ":" + input.dueAt().toEpochMilli();
        return react(base, new ProcessInput.DeadlineFired(input.name(), input.dueAt()), trigger, trigger,
                current.getCorrelationId(), now);
    }

    private Step react(ProcessSnapshot base, ProcessInput input, String trigger, String causation, String correlation, Instant now) {
        String instanceId = base.getInstanceId();
        Reaction<S> reaction;
        byte[] state;
        List<Outgoing> outgoing = new ArrayList<>();
        try {
            reaction = Objects.requireNonNull(type.manager().react(state(base), input), "react returned null");
            state = codec.encode(stateSubject, reaction.state());
            List<SendCommand> commands = reaction.commands();
            for (int i = 0; i < commands.size(); i++) {
                SendCommand command = commands.get(i);
                if (!type.maySend(command.aggregateType(), command.command().getClass())) {
                    throw new IllegalStateException("react sent " + command.commandType() + " to " + command.aggregateType()
                            + ", which " + type.name() + " does not declare (ProcessType.Builder.sends)");
                }
                String topic = AggregateTopics.of(command.aggregateType()).commands();
                byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, command.command().getSchema()),
                        command.command());
                outgoing.add(new Outgoing(topic, commandId(type.name(), instanceId, trigger, i), command, value,
                        correlation, causation, processId(type.name(), instanceId)));
            }
        } catch (RuntimeException e) {
            if (e instanceof foldstream.worker.serialization.SchemaRegistryUnavailableException unavailable) {
                throw unavailable;   // not the input's fault: processed again once the registry is back
            }
            String why = (e instanceof WireFormatException ? "cannot write the process's records: " : "react failed on "
                    + describe(input) + ": ") + e;
            ProcessSnapshot failed = ProcessSnapshot.newBuilder(base).setStatus(ProcessStatus.FAILED).setError(why)
                    .setStep(base.getStep() + 1).setUpdatedAt(now).setDeadlines(new ArrayList<>()).setFinishedAt(now).build();
            return new Step(failed, List.of(), null);
        }

        ProcessSnapshot.Builder next = ProcessSnapshot.newBuilder(base)
                .setStep(base.getStep() + 1).setState(ByteBuffer.wrap(state)).setUpdatedAt(now);
        List<ProcessCommand> sent = new ArrayList<>(base.getCommands());
        for (Outgoing command : outgoing) {
            sent.add(new ProcessCommand(command.commandId(), command.command().aggregateType(), command.command().aggregateId(),
                    command.command().commandType(), now, null, null, null));
        }
        next.setCommands(sent);
        if (reaction instanceof Reaction.Continue<S> more) {
            List<ProcessDeadline> deadlines = new ArrayList<>(base.getDeadlines());
            for (DeadlineChange change : more.deadlines()) {
                deadlines.removeIf(d -> d.getName().equals(change.name()));
                if (change instanceof DeadlineChange.Set set) {
                    deadlines.add(new ProcessDeadline(set.name(), now.plus(set.after())));
                }
            }
            next.setDeadlines(deadlines);
        } else {
            next.setDeadlines(new ArrayList<>()).setStatus(ProcessStatus.FINISHED).setFinishedAt(now);
        }
        return new Step(next.build(), List.copyOf(outgoing), null);
    }

    private static String describe(ProcessInput input) {
        if (input instanceof ProcessInput.Event event) {
            return event.event().getSchema().getName() + " " + event.meta().eventId();
        }
        if (input instanceof ProcessInput.Result result) {
            return "the result of " + result.result().getCommandId();
        }
        return "deadline " + ((ProcessInput.DeadlineFired) input).name();
    }

    /** The name-based (version 3) UUID of the process, instance, trigger and the command's index in the reaction. */
    static String commandId(String process, String instanceId, String trigger, int index) {
        String name = process + '\u0000' + instanceId + '\u0000' + trigger + '\u0000' + index;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
