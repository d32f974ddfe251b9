package foldstream.worker.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.protocol.SnapshotMeta;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.StorageMode;
import foldstream.worker.aggregate.Violation;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.serialization.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the commands of one aggregate type in one task (DESIGN.md, "Processing one command"):
 * read, answer duplicates from the command-id store, load the snapshot, evaluate, then write the
 * snapshot and forward events and result. Under {@code exactly_once_v2} all of it commits with the
 * input offset or none of it does.
 *
 * <p>Bad input never stops it: unreadable commands become {@code MALFORMED} results and go to
 * {@code S-dlq}; exceptions from the aggregate's code become {@code FAILED}. Only a failure outside
 * the record (the broker, the registry) escapes, so the record is processed again later.
 */
public final class CommandProcessor<S extends SpecificRecord> implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    /** How often a rebuild takes its next step (each one then commits). */
    private static final Duration REBUILD_TICK = Duration.ofMillis(5);

    private final AggregateType<S> type;
    private final AggregateTopics topics;
    private final AvroWireCodec codec;
    private final ProcessingOptions options;
    private final Clock clock;
    private final CommandEvaluator<S> evaluator;
    private final EventLog eventLog;
    private final RebuildBoard rebuildBoard;
    private final Map<String, Class<? extends SpecificRecord>> commandTypes = new HashMap<>();
    private final byte[] aggregateTypeHeader;
    private final EventIds eventIds;
    private final ControlInstructions control;

    private ProcessorContext<byte[], byte[]> context;
    private AggregateCache<S> cache;
    private SnapshotStore<S> snapshots;
    private AnsweredCommands answered;
    private PartitionRebuild<S> rebuild;
    private HeldCommands held;
    private boolean workedSinceTick;

    /**
     * @param eventLog where pure event sourcing ({@link StorageMode#EVENTS_ONLY}) rebuilds its
     *     snapshots from; unused in the other modes
     */
    public CommandProcessor(AggregateType<S> type, AvroWireCodec codec, ProcessingOptions options, Clock clock, EventLog eventLog) {
        this(type, codec, options, clock, eventLog, new RebuildBoard());
    }

    /** As above, reporting rebuilds on {@code rebuildBoard}. */
    public CommandProcessor(AggregateType<S> type, AvroWireCodec codec, ProcessingOptions options, Clock clock, EventLog eventLog,
                            RebuildBoard rebuildBoard) {
        this.rebuildBoard = rebuildBoard;
        this.type = type;
        this.topics = AggregateTopics.of(type.name());
        this.codec = codec;
        this.options = options;
        this.clock = clock;
        this.evaluator = new CommandEvaluator<>(type);
        this.eventLog = eventLog;
        this.aggregateTypeHeader = utf8(type.name());
        this.eventIds = new EventIds(type.name());
        this.control = new ControlInstructions(type.name(), codec);
        for (Class<? extends SpecificRecord> command : type.commands().keySet()) {
            commandTypes.put(SpecificData.get().getSchema(command).getFullName(), command);
        }
    }

    /** Sink node names, one per output topic, as {@link FoldstreamTopology} wires them. */
    static String sinkName(String topic) {
        return topic + "-sink";
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.cache = new AggregateCache<>(options.hotAggregates(), options.hotAggregateIdleTtl(), clock::millis);
        KeyValueStore<String, byte[]> store = context.getStateStore(topics.snapshotStore());
        this.snapshots = new SnapshotStore<>(type, store, cache, codec, new SnapshotCodec());
        this.answered = new AnsweredCommands(context.getStateStore(topics.commandIdStore()), options.commandIdRetention());
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> answered.sweep());
        Duration every = options.hotAggregateIdleTtl().compareTo(Duration.ofSeconds(30)) < 0
                ? options.hotAggregateIdleTtl() : Duration.ofSeconds(30);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> cache.evictIdle());
        this.held = new HeldCommands(context.getStateStore(topics.heldStore()));
        this.rebuild = new PartitionRebuild<>(type, codec, snapshots, eventLog, context.appConfigs(),
                context.taskId().partition(), options.rebuildBatch(), rebuildBoard,
                ((CommitCounter) context.getStateStore(topics.commitCounter()))::commits);
        // Pure event sourcing's store has no changelog and may be missing or behind: it catches up
        // with S-events first. A rebuild a crash interrupted resumes, whatever the mode.
        if (type.storageMode() == StorageMode.EVENTS_ONLY) {
            rebuild.catchUp();
        } else {
            rebuild.resumeIfInterrupted();
        }
        context.schedule(REBUILD_TICK, PunctuationType.WALL_CLOCK_TIME, now -> rebuildOrRelease());
    }

    /** Runs on every tick: one bounded piece of rebuild work, if any is due. */
    private void rebuildOrRelease() {
        workedSinceTick = false;
        workOnce();
    }

    /**
     * One bounded piece of work, then a commit: a step of the rebuild, or, once it is done, a batch
     * of the commands held back meanwhile, in the order they came.
     */
    private void workOnce() {
        if (rebuild.running()) {
            if (rebuild.step()) {
                held.replaying().ifPresent(this::replayDone);
            }
        } else if (!held.isEmpty()) {
            // Stops early at a held replay instruction: what follows it waits for that rebuild.
            for (int i = 0; i < options.rebuildBatch() && !rebuild.running(); i++) {
                Optional<HeldCommands.Held> next = held.poll();
                if (next.isEmpty()) {
                    break;
                }
                handle(next.get().record(), next.get().where());
            }
        } else {
            return;
        }
        context.commit();
    }

    /** An instruction on {@code S-control}: a replay rebuilds this partition's snapshots with the current {@code evolve}, in steps; answered when done. */
    private void control(Record<byte[], byte[]> record, RecordMetadata where) {
        ControlInstructions.Read read = control.read(record);
        if (read instanceof ControlInstructions.Read.Unreadable unreadable) {
            LOG.warn("{}: unreadable control instruction at {}/{}/{}: {}", type.name(), where.topic(), where.partition(),
                    where.offset(), unreadable.reason());
            answerControl(record, where, null, ControlOutcome.REFUSED, 0, 0, "MALFORMED", unreadable.reason());
        } else if (type.storageMode() == StorageMode.SNAPSHOTS_ONLY) {
            answerControl(record, where, ControlAction.REPLAY, ControlOutcome.REFUSED, 0, 0, "NO_EVENTS",
                    type.name() + " keeps no events (SNAPSHOTS_ONLY): nothing to replay");
        } else {
            held.replaying(record, where);
            rebuild.replay();
            context.commit();
        }
    }

    private void replayDone(HeldCommands.Held instruction) {
        held.replayDone();
        RebuildProgress done = rebuild.progress();
        int partition = instruction.where().partition();
        if (rebuild.firstFailure() != null) {
            answerControl(instruction.record(), instruction.where(), ControlAction.REPLAY, ControlOutcome.FAILED, done.folded(),
                    rebuild.created(), "INCONSISTENT_EVENTS", "partition " + partition + ": " + done.failures()
                            + " events could not be folded (their aggregates stay at their last good version); the first: "
                            + rebuild.firstFailure());
        } else {
            answerControl(instruction.record(), instruction.where(), ControlAction.REPLAY, ControlOutcome.DONE, done.folded(),
                    rebuild.created(), null, "partition " + partition + ": rebuilt " + rebuild.created() + " aggregates from "
                            + done.folded() + " events");
        }
    }

    private void answerControl(Record<byte[], byte[]> record, RecordMetadata where, ControlAction action, ControlOutcome outcome,
                               long folded, long rebuilt, String errorCode, String message) {
        context.forward(control.result(record, where, action, outcome, folded, rebuilt, errorCode, message, clock.millis()),
                sinkName(topics.controlResults()));
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        if ((rebuild.running() || !held.isEmpty()) && !workedSinceTick) {
            // Progress between ticks too, but at most one piece per tick, so a transaction stays bounded.
            workedSinceTick = true;
            workOnce();
        }
        // Never decided against a store still being rebuilt: held back, in order, until it is done.
        if (rebuild.running() || !held.isEmpty()) {
            held.add(record, where);
            return;
        }
        handle(record, where);
    }

    private void handle(Record<byte[], byte[]> record, RecordMetadata where) {
        if (control.isControl(where)) {
            control(record, where);
            return;
        }
        Command command = read(record, where);
        if (command.problem != null) {
            malformed(record, command);
            return;
        }
        answered.observe(record.timestamp());
        byte[] earlier = answered.firstAnswer(AnsweredCommands.key(command.aggregateId, command.id));
        if (earlier != null) {
            forward(topics.results(), command.key, earlier, record.timestamp(), resultHeaders(command));
            return;
        }

        Snapshot<S> current = snapshots.load(command.aggregateId);
        Verdict<S> verdict = command.decoded instanceof Decoded.Record decoded
                ? evaluator.evaluate(command.aggregateId, current.state(), current.version(), decoded.record(), command.expectedVersion)
                : new Verdict.Refused<>(Outcome.UNKNOWN_COMMAND, Outcome.UNKNOWN_COMMAND.name(),
                        type.name() + " does not handle " + ((Decoded.UnknownType) command.decoded).fullName(), List.of());

        if (verdict instanceof Verdict.Accepted<S> accepted) {
            try {
                apply(record, command, current, accepted);
            } catch (WireFormatException e) {
                // The aggregate's own records could not be written (a null in a required field, say).
                fail(record, command, current, new Verdict.Failed<>("cannot write the aggregate's records: " + e.getMessage(), e));
            }
        } else if (verdict instanceof Verdict.Unchanged<S>) {
            answer(record, command, result(command, Outcome.NO_CHANGE, current.version(), 0, null, null, List.of()), true);
        } else if (verdict instanceof Verdict.Refused<S> refused) {
            answer(record, command, result(command, refused.outcome(), current.version(), 0,
                    refused.errorCode(), refused.message(), refused.violations()), true);
        } else {
            fail(record, command, current, (Verdict.Failed<S>) verdict);
        }
    }

    private void apply(Record<byte[], byte[]> record, Command command, Snapshot<S> current, Verdict.Accepted<S> accepted) {
        // Encode everything first: a record that cannot be written must leave nothing behind.
        boolean writesEvents = type.storageMode() != StorageMode.SNAPSHOTS_ONLY;
        List<byte[]> events = new ArrayList<>(accepted.events().size());
        if (writesEvents) {
            for (SpecificRecord event : accepted.events()) {
                events.add(codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.events(), event.getSchema()), event));
            }
        }
        byte[] state = snapshots.encodeState(accepted.state());
        long now = clock.millis();
        Instant at = Instant.ofEpochMilli(now);
        SnapshotMeta meta = new SnapshotMeta(current.exists() ? current.meta().getCreatedAt() : at, at, command.id);
        Snapshot<S> next = new Snapshot<>(accepted.version(), accepted.state(), meta);

        snapshots.save(command.aggregateId, next, state);
        long version = current.version();
        for (int i = 0; i < events.size(); i++) {
            version++;
            SpecificRecord event = accepted.events().get(i);
            Headers headers = new RecordHeaders()
                    .add(ContractHeaders.COMMAND_ID, utf8(command.id))
                    .add(ContractHeaders.CORRELATION_ID, utf8(command.correlationId))
                    .add(ContractHeaders.CAUSATION_ID, utf8(command.id))
                    .add(ContractHeaders.AGGREGATE_VERSION, utf8(version))
                    .add(ContractHeaders.EVENT_ID, utf8(eventIds.of(command.aggregateId, version)))
                    .add(ContractHeaders.EVENT_TYPE, utf8(event.getSchema().getFullName()))
                    .add(ContractHeaders.AGGREGATE_TYPE, aggregateTypeHeader);
            forward(topics.events(), command.key, events.get(i), record.timestamp(), headers);
        }
        if (type.publishesState()) {
            Headers headers = resultHeaders(command).add(ContractHeaders.AGGREGATE_VERSION, utf8(accepted.version()));
            forward(topics.state(), command.key, state, record.timestamp(), headers);
        }
        answer(record, command, result(command, Outcome.ACCEPTED, accepted.version(), accepted.events().size(),
                null, null, List.of()), true);
    }

    private void fail(Record<byte[], byte[]> record, Command command, Snapshot<S> current, Verdict.Failed<S> failed) {
        LOG.warn("{} '{}': command {} FAILED: {}", type.name(), command.aggregateId, command.id, failed.message(), failed.cause());
        // Not remembered: once the aggregate's code is fixed, a retry with the same id is decided afresh.
        answer(record, command, result(command, Outcome.FAILED, current.version(), 0, Outcome.FAILED.name(),
                failed.message(), List.of()), false);
    }

    private void malformed(Record<byte[], byte[]> record, Command command) {
        LOG.warn("{}: MALFORMED command at {}: {}", type.name(), command.source(), command.problem);
        long version = command.aggregateId == null ? 0 : snapshots.load(command.aggregateId).version();
        Headers dlqHeaders = new RecordHeaders(record.headers().toArray())
                .add(ContractHeaders.DLQ_ERROR, utf8(command.problem))
                .add(ContractHeaders.DLQ_SOURCE, utf8(command.source()));
        forward(topics.dlq(), record.key(), record.value(), record.timestamp(), dlqHeaders);
        answer(record, command, result(command, Outcome.MALFORMED, version, 0, Outcome.MALFORMED.name(),
                command.problem, List.of()), false);
    }

    private void answer(Record<byte[], byte[]> record, Command command, CommandResult result, boolean remember) {
        byte[] bytes = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topics.results(), result.getSchema()), result);
        if (remember) {
            answered.remember(AnsweredCommands.key(command.aggregateId, command.id), bytes, record.timestamp());
        }
        forward(topics.results(), command.key, bytes, record.timestamp(), resultHeaders(command));
    }

    private CommandResult result(Command command, Outcome outcome, long version, int eventCount,
                                 String errorCode, String message, List<Violation> violations) {
        List<FieldViolation> fields = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            fields.add(new FieldViolation(v.field(), v.message()));
        }
        return new CommandResult(command.id, type.name(), command.aggregateId, outcome, version, eventCount,
                errorCode, message, fields, Instant.ofEpochMilli(clock.millis()));
    }

    private static Headers resultHeaders(Command command) {
        return new RecordHeaders()
                .add(ContractHeaders.COMMAND_ID, utf8(command.id))
                .add(ContractHeaders.CORRELATION_ID, utf8(command.correlationId))
                .add(ContractHeaders.CAUSATION_ID, utf8(command.id));
    }

    private void forward(String topic, byte[] key, byte[] value, long timestamp, Headers headers) {
        context.forward(new Record<>(key, value, timestamp, headers), sinkName(topic));
    }

    /** Step 1: key, headers and value, or the reason they cannot be read. */
    private Command read(Record<byte[], byte[]> record, RecordMetadata where) {
        String id = ContractHeaders.text(record.headers(), ContractHeaders.COMMAND_ID);
        if (id == null || id.isEmpty()) {
            id = source(where);
        }
        String correlation = ContractHeaders.text(record.headers(), ContractHeaders.CORRELATION_ID);
        Command command = new Command(where, id, correlation == null || correlation.isEmpty() ? id : correlation, record.key());
        if (record.key() == null || record.key().length == 0) {
            return command.unreadable("the command has no key: the key must be the aggregate id");
        }
        command.aggregateId = new String(record.key(), StandardCharsets.UTF_8);
        String expected = ContractHeaders.text(record.headers(), ContractHeaders.EXPECTED_VERSION);
        if (expected != null && !expected.isEmpty()) {
            try {
                command.expectedVersion = Long.parseLong(expected.trim());
            } catch (NumberFormatException e) {
                return command.unreadable("expected-version '" + expected + "' is not a number");
            }
            if (command.expectedVersion < CommandEvaluator.ANY_VERSION) {
                return command.unreadable("expected-version " + expected + " is below -1");
            }
        }
        command.decoded = codec.decode(record.value(), commandTypes);
        if (command.decoded instanceof Decoded.Unreadable unreadable) {
            return command.unreadable(unreadable.reason());
        }
        return command;
    }

    /** A record's place, {@code topic/partition/offset}: the id of a command that came without one. */
    private static String source(RecordMetadata where) {
        return where.topic() + "/" + where.partition() + "/" + where.offset();
    }

    @Override
    public void close() {
        if (rebuild != null) {
            rebuild.close();
        }
        if (cache != null) {
            cache.clear();
        }
    }

    /** The parts of one command record, filled in as they are read. */
    private static final class Command {
        final RecordMetadata where;
        final String id;
        final String correlationId;
        final byte[] key;
        String aggregateId;
        long expectedVersion = CommandEvaluator.ANY_VERSION;
        Decoded decoded;
        String problem;

        Command(RecordMetadata where, String id, String correlationId, byte[] key) {
            this.where = where;
            this.id = id;
            this.correlationId = correlationId;
            this.key = key;
        }

        /** Where the command was read: {@code topic/partition/offset}. */
        String source() {
            return CommandProcessor.source(where);
        }

        Command unreadable(String why) {
            this.problem = why;
            return this;
        }
    }
}
