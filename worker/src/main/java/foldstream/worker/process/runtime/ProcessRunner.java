package foldstream.worker.process.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import foldstream.protocol.CommandResult;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import foldstream.worker.process.ProcessType;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of a process, in the task that owns the instance's partition of the repartition
 * topic: loads the instance, applies the input through the {@link ProcessEngine}, stores the instance
 * and its due deadlines, and forwards the commands to the target types' {@code S-commands}. Under
 * {@code exactly_once_v2} the stores, the commands and the input offset commit together, and a re-run
 * after a crash derives the same command ids, which the worker's idempotency answers.
 *
 * <p>A wall-clock punctuation on the injected {@link Clock} fires the due deadlines (each once: it is
 * removed in the same transaction as its commands) and removes finished instances after the retention.
 */
final class ProcessRunner<S extends SpecificRecord> implements Processor<String, byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    /** Due entries handled per punctuation, so that a backlog cannot hold the task past its poll interval. */
    private static final int DUE_BATCH = 1_000;

    private final ProcessEngine<S> engine;
    private final ProcessType<S> type;
    private final AvroWireCodec codec;
    private final ProcessOptions options;
    private final Clock clock;
    private final ProcessStores stores;
    private final ProcessSnapshotCodec snapshots = new ProcessSnapshotCodec();
    private final FollowedEvents followed;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> instances;
    private DueIndex due;

    ProcessRunner(ProcessType<S> type, FollowedEvents followed, AvroWireCodec codec, ProcessOptions options, Clock clock) {
        this.engine = new ProcessEngine<>(type, codec);
        this.type = type;
        this.codec = codec;
        this.options = options;
        this.clock = clock;
        this.stores = ProcessStores.of(type.name());
        this.followed = followed;
    }

    /** The sink node that writes to a target type's commands topic. */
    static String sinkName(String process, String commandsTopic) {
        return process + "-to-" + commandsTopic;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.instances = context.getStateStore(stores.instances());
        this.due = new DueIndex(context.getStateStore(stores.due()));
        context.schedule(options.deadlineCheckInterval(), PunctuationType.WALL_CLOCK_TIME, ignored -> fireDue());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String kind = ContractHeaders.text(record.headers(), RoutedInput.KIND);
        String source = ContractHeaders.text(record.headers(), RoutedInput.SOURCE_TOPIC);
        ProcessEngine.Input input;
        if (RoutedInput.RESULT.equals(kind)) {
            try {
                input = new ProcessEngine.ResultInput(codec.decode(record.value(), CommandResult.class));
            } catch (foldstream.worker.serialization.WireFormatException e) {
                LOG.warn("process {}: skipping an unreadable result from {} for {}: {}", type.name(), source, record.key(), e.getMessage());
                return;
            }
        } else if (RoutedInput.EVENT.equals(kind) && source != null && followed.follows(source)) {
            String index = ContractHeaders.text(record.headers(), RoutedInput.EVENT_INDEX);
            FollowedEvents.Followed event;
            try {
                event = followed.read(source, record.value()).stream()
                        .filter(e -> index == null || Integer.toString(e.index()).equals(index)).findFirst().orElse(null);
            } catch (IllegalArgumentException unreadable) {
                event = null;   // the router read it; an upcaster changed since: skipped, as the router would
            }
            if (event == null) {
                LOG.warn("process {}: the event routed to {} from {} is no longer readable as one it follows; skipped",
                        type.name(), record.key(), source);
                return;
            }
            input = new ProcessEngine.EventInput(event.event(), ProcessRouter.meta(record, followed.aggregateType(source), source, event),
                    RoutedInput.START.equals(ContractHeaders.text(record.headers(), RoutedInput.ROUTE)));
        } else {
            LOG.warn("process {}: skipping a record of unknown kind '{}' from {}", type.name(), kind, source);
            return;
        }
        apply(record.key(), input, record.timestamp());
    }

    private void apply(String instanceId, ProcessEngine.Input input, long timestamp) {
        byte[] stored = instances.get(instanceId);
        ProcessSnapshot current = stored == null ? null : snapshots.decode(stored);
        Instant now = clock.instant();
        ProcessEngine.Step step = engine.handle(current, instanceId, input, now);
        if (step.next() == null) {
            LOG.debug("process {}: input for {} ignored: {}", type.name(), instanceId, step.ignored());
            return;
        }
        ProcessSnapshot next = step.next();
        if (next.getStatus() == ProcessStatus.FAILED && (current == null || current.getStatus() != ProcessStatus.FAILED)) {
            LOG.error("process {}: instance {} FAILED: {}", type.name(), instanceId, next.getError());
        }
        instances.put(instanceId, snapshots.encode(next));
        updateDue(instanceId, current, next);
        for (ProcessEngine.Outgoing command : step.commands()) {
            Headers headers = new RecordHeaders()
                    .add(ContractHeaders.COMMAND_ID, utf8(command.commandId()))
                    .add(ContractHeaders.PROCESS_ID, utf8(command.processId()))
                    .add(ContractHeaders.CAUSATION_ID, utf8(command.causationId()));
            if (command.correlationId() != null) {
                headers.add(ContractHeaders.CORRELATION_ID, utf8(command.correlationId()));
            }
            if (command.command().expectedVersion() >= 0) {
                headers.add(ContractHeaders.EXPECTED_VERSION, utf8(command.command().expectedVersion()));
            }
            context.forward(new Record<>(utf8(command.command().aggregateId()), command.value(), timestamp, headers),
                    sinkName(type.name(), command.topic()));
        }
    }

    /** Keeps the due index equal to the instance's deadlines, plus its retention's end once finished. */
    private void updateDue(String instanceId, ProcessSnapshot before, ProcessSnapshot after) {
        Set<String> kept = new HashSet<>();
        for (ProcessDeadline deadline : after.getDeadlines()) {
            kept.add(deadline.getName() + "@" + deadline.getDueAt().toEpochMilli());
        }
        if (before != null) {
            for (ProcessDeadline deadline : before.getDeadlines()) {
                if (!kept.contains(deadline.getName() + "@" + deadline.getDueAt().toEpochMilli())) {
                    due.remove(deadline.getDueAt(), DueIndex.DEADLINE, instanceId, deadline.getName());
                }
            }
        }
        for (ProcessDeadline deadline : after.getDeadlines()) {
            due.add(deadline.getDueAt(), DueIndex.DEADLINE, instanceId, deadline.getName());
        }
        if (after.getFinishedAt() != null && (before == null || before.getFinishedAt() == null)) {
            due.add(after.getFinishedAt().plus(options.retention()), DueIndex.EXPIRY, instanceId, "");
        }
    }

    /** Fires what is due by the clock: deadlines through {@code react}, retention ends by removing the instance. */
    private void fireDue() {
        Instant now = clock.instant();
        List<DueIndex.Entry> entries = due.dueBy(now, DUE_BATCH);
        for (DueIndex.Entry entry : entries) {
            due.remove(entry);
            if (entry.kind() == DueIndex.DEADLINE) {
                apply(entry.instanceId(), new ProcessEngine.DeadlineInput(entry.name(), entry.at()), now.toEpochMilli());
            } else {
                byte[] stored = instances.get(entry.instanceId());
                if (stored != null && snapshots.decode(stored).getStatus() != ProcessStatus.ACTIVE) {
                    instances.delete(entry.instanceId());
                }
            }
        }
    }
}
