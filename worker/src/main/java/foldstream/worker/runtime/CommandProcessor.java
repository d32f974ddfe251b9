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
import foldstream.worker.observe.LogFields;
import foldstream.worker.observe.PartitionActivity;
import foldstream.worker.observe.RateLimitedLog;
import foldstream.worker.observe.TraceHeaders;
import foldstream.worker.observe.Tracing;
import foldstream.worker.observe.WorkerMetrics;
import foldstream.worker.serialization.AvroBounds;
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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
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
 * Decides the commands of one aggregate type in one task (docs/architecture.md, "One command's path"):
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
    /** How often the stores' key estimates are taken for the metrics (a RocksDB property read each). */
    private static final Duration STORE_SIZES_EVERY = Duration.ofSeconds(10);

    private final AggregateType<S> type;
    private final AggregateTopics topics;
    private final AvroWireCodec codec;
    private final ProcessingOptions options;
    private final Clock clock;
    private final CommandEvaluator<S> evaluator;
    private final EventLog eventLog;
    private final RebuildBoard rebuildBoard;
    private final Map<String, Class<? extends SpecificRecord>> commandTypes = new HashMap<>();
    private final Map<Schema, String> eventSubjects = new IdentityHashMap<>();
    private final String resultsSubject;
    private final byte[] aggregateTypeHeader;
    private final EventIds eventIds;
    private final ControlInstructions control;
    private final WorkerMetrics metrics;
    private final WorkerMetrics.TypeMeters meters;
    private final RateLimitedLog malformedWarnings;
    private final Tracing tracing;
    private PartitionActivity activity;
    private final ResultPartitioner resultPartitioner;
    private final StrictUtf8 strictUtf8 = new StrictUtf8();

    private ProcessorContext<byte[], byte[]> context;
    private AggregateCache<S> cache;
    private SnapshotStore<S> snapshots;
    private AnsweredCommands answered;
    private PartitionRebuild<S> rebuild;
    private HeldCommands held;
    private boolean workedSinceTick;
    private WorkTicker ticker;
    private CommandLimits limits;
    private AvroBounds avroBounds;
    private OutputSizeGuard outputs;

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
        this(type, codec, options, clock, eventLog, rebuildBoard, new ResultPartitioner(), WorkerMetrics.none());
    }

    /**
     * @param resultPartitioner the partitioner of the {@code S-results} and {@code S-dlq} sinks
     * @param metrics where the type's meters and the partition's activity go (docs/observability.md)
     */
    CommandProcessor(AggregateType<S> type, AvroWireCodec codec, ProcessingOptions options, Clock clock, EventLog eventLog,
                     RebuildBoard rebuildBoard, ResultPartitioner resultPartitioner, WorkerMetrics metrics) {
        this.rebuildBoard = rebuildBoard;
        this.resultPartitioner = resultPartitioner;
        this.type = type;
        this.topics = AggregateTopics.of(type.name());
        this.codec = codec;
        this.options = options;
        this.clock = clock;
        this.evaluator = new CommandEvaluator<>(type);
        this.eventLog = eventLog;
        this.aggregateTypeHeader = utf8(type.name());
        this.resultsSubject = SubjectNameStrategy.TOPIC_NAME.subject(topics.results(), CommandResult.getClassSchema());
        this.eventIds = new EventIds(type.name());
        this.control = new ControlInstructions(type.name(), codec);
        this.metrics = metrics;
        this.meters = metrics.type(type.name());
        this.tracing = metrics.tracing();
        this.malformedWarnings = new RateLimitedLog(10, 10_000, System::currentTimeMillis);
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
        this.limits = options.limits().with(context.appConfigs());
        this.avroBounds = new AvroBounds(limits.collectionItems(), limits.nestingDepth());
        this.outputs = OutputSizeGuard.of(context.appConfigs());
        SpecificData model = SpecificData.getForClass(type.stateClass());
        this.cache = new AggregateCache<>(options.hotAggregates(), options.hotAggregateIdleTtl(), clock::millis,
                state -> model.deepCopy(state.getSchema(), state));
        KeyValueStore<String, byte[]> store = context.getStateStore(topics.snapshotStore());
        this.snapshots = new SnapshotStore<>(type, store, cache, codec, new SnapshotCodec());
        this.answered = new AnsweredCommands(context.getStateStore(topics.commandIdStore()), options.commandIdRetention(), clock::millis);
        this.activity = metrics.partition(type.name(), context.taskId().partition());
        activity.assigned(PartitionActivity.RETURN_GRACE_MILLIS);
        AggregateCache<S> tasksCache = cache;
        activity.cache(tasksCache::hits, tasksCache::misses, tasksCache::size);
        KeyValueStore<String, byte[]> ids = context.getStateStore(topics.commandIdStore());
        context.schedule(STORE_SIZES_EVERY, PunctuationType.WALL_CLOCK_TIME,
                now -> activity.storeSizes(store.approximateNumEntries(), ids.approximateNumEntries()));
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> answered.sweep());
        Duration every = options.hotAggregateIdleTtl().compareTo(Duration.ofSeconds(30)) < 0
                ? options.hotAggregateIdleTtl() : Duration.ofSeconds(30);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> cache.evictIdle());
        this.held = new HeldCommands(context.getStateStore(topics.heldStore()));
        this.rebuild = new PartitionRebuild<>(type, codec, snapshots, eventLog, context.appConfigs(),
                context.taskId().partition(), options.rebuildBatch(), rebuildBoard,
                ((CommitCounter) context.getStateStore(topics.commitCounter()))::commits, clock::millis);
        // Pure event sourcing's store has no changelog and may be missing or behind: it catches up
        // with S-events first. A rebuild a crash interrupted resumes, whatever the mode.
        if (type.storageMode() == StorageMode.EVENTS_ONLY) {
            rebuild.catchUp();
        } else {
            rebuild.resumeIfInterrupted();
        }
        this.ticker = new WorkTicker(context, REBUILD_TICK, this::rebuildOrRelease);
        if (rebuild.running() || !held.isEmpty()) {
            ticker.start();
        }
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
            long foldedBefore = rebuild.progress().folded();
            boolean finished = rebuild.step();
            meters.rebuilt(Math.max(0, rebuild.progress().folded() - foldedBefore));
            if (finished) {
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
            ticker.stop(); // idle: a tick would make every commit interval commit this task
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
            ticker.start();
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
        long start = System.nanoTime();
        activity.started(record.timestamp());
        decideOne(record, where);
        activity.finished();
        meters.processed(System.nanoTime() - start);
    }

    private void decideOne(Record<byte[], byte[]> record, RecordMetadata where) {
        Command command = read(record, where);
        if (command.problem != null) {
            malformed(record, command);
            return;
        }
        byte[] earlier = answered.firstAnswer(command.aggregateId, command.id);
        if (earlier != null) {
            meters.duplicate();
            forward(topics.results(), command.key, earlier, record.timestamp(), command.resultHeaders());
            return;
        }

        Snapshot<S> current;
        try {
            current = snapshots.load(command.aggregateId);
        } catch (AggregateCode.InitialStateException e) {
            fail(record, command, Snapshot.initial(null), new Verdict.Failed<>(e.getMessage(), e.getCause()));
            return;
        } catch (SnapshotStore.UnreadableSnapshotException e) {
            // Answered, not retried: reading it again gives the same bytes, and a skipped command would get no answer at all.
            fail(record, command, Snapshot.initial(null), new Verdict.Failed<>(e.getMessage() + "; nothing was written", e.getCause()));
            return;
        }
        long deciding = System.nanoTime();
        Tracing.Step decide = tracing.start("decide", type.name(), command.trace);
        Verdict<S> verdict = command.decoded instanceof Decoded.Record decoded
                ? evaluator.evaluate(command.aggregateId, current.state(), current.version(), decoded.record(), command.expectedVersion)
                : new Verdict.Refused<>(Outcome.UNKNOWN_COMMAND, Outcome.UNKNOWN_COMMAND.name(),
                        type.name() + " does not handle " + ((Decoded.UnknownType) command.decoded).fullName(), List.of());
        meters.decided(System.nanoTime() - deciding);
        decide.end();
        Tracing.Step write = tracing.start("write", type.name(), command.trace);
        command.traceOn(write.context(command.trace));

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
            write.failed(((Verdict.Failed<S>) verdict).message());
            fail(record, command, current, (Verdict.Failed<S>) verdict);
        }
        write.end();
    }

    private void apply(Record<byte[], byte[]> record, Command command, Snapshot<S> current, Verdict.Accepted<S> accepted) {
        // Encode everything first: a record that cannot be written must leave nothing behind.
        boolean writesEvents = type.storageMode() != StorageMode.SNAPSHOTS_ONLY;
        List<byte[]> events = new ArrayList<>(accepted.events().size());
        if (writesEvents) {
            for (SpecificRecord event : accepted.events()) {
                events.add(codec.encode(eventSubject(event), event));
            }
        }
        byte[] state = snapshots.encodeState(accepted.state());
        long now = clock.millis();
        Instant at = Instant.ofEpochMilli(now);
        SnapshotMeta meta = new SnapshotMeta(current.exists() ? current.meta().getCreatedAt() : at, at, command.id);
        Snapshot<S> next = new Snapshot<>(accepted.version(), accepted.state(), meta);
        byte[] snapshot = snapshots.encodeSnapshot(next, state);
        byte[] result = encode(result(command, Outcome.ACCEPTED, accepted.version(), accepted.events().size(), null, null, List.of()));
        List<Headers> eventHeaders = new ArrayList<>(events.size());
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
            command.trace.addTo(headers);
            eventHeaders.add(headers);
        }
        Headers stateHeaders = new RecordHeaders(command.resultHeaders().toArray())
                .add(ContractHeaders.AGGREGATE_VERSION, utf8(accepted.version()));
        // Every output must fit before any is written: one the producer refuses would abort the transaction, every time.
        String tooLarge = null;
        for (int i = 0; i < events.size() && tooLarge == null; i++) {
            tooLarge = outputs.problem("event " + (i + 1) + " on " + topics.events(), command.key, events.get(i), eventHeaders.get(i));
        }
        if (tooLarge == null && type.publishesState()) {
            tooLarge = outputs.problem("the state on " + topics.state(), command.key, state, stateHeaders);
        }
        if (tooLarge == null && type.storageMode() != StorageMode.EVENTS_ONLY) {
            tooLarge = outputs.problem("the snapshot's changelog record", command.aggregateId, snapshot.length);
        }
        if (tooLarge == null) {
            tooLarge = resultProblem(command, result, true);
        }
        if (tooLarge != null) {
            fail(record, command, current, new Verdict.Failed<>(tooLarge + "; nothing was written", null));
            return;
        }

        snapshots.saveEncoded(command.aggregateId, next, snapshot);
        version = current.version();
        for (int i = 0; i < events.size(); i++) {
            version++;
            forward(topics.events(), command.key, events.get(i), record.timestamp(), eventHeaders.get(i));
        }
        meters.eventsWritten(events.size());
        if (type.publishesState()) {
            forward(topics.state(), command.key, state, record.timestamp(), stateHeaders);
        }
        answerEncoded(record, command, result, true);
        meters.answered(Outcome.ACCEPTED, clock.millis() - record.timestamp());
    }

    private void fail(Record<byte[], byte[]> record, Command command, Snapshot<S> current, Verdict.Failed<S> failed) {
        try (LogFields fields = LogFields.command(type.name(), command.aggregateId, command.id, command.correlationId, command.trace.traceId())) {
            LOG.warn("command FAILED: {} [{}]", failed.message(), fields, failed.cause());
        }
        // Not remembered: once the aggregate's code is fixed, a retry with the same id is decided afresh.
        answer(record, command, result(command, Outcome.FAILED, current.version(), 0, Outcome.FAILED.name(),
                failed.message(), List.of()), false);
    }

    private void malformed(Record<byte[], byte[]> record, Command command) {
        long suppressed = malformedWarnings.admit();
        if (suppressed >= 0) {
            try (LogFields fields = LogFields.command(type.name(), command.aggregateId, command.id, command.correlationId,
                    command.trace.traceId())) {
                LOG.warn("MALFORMED command at {}: {} [{}]{}", command.source(), command.problem, fields, RateLimitedLog.suffix(suppressed));
            }
        }
        meters.deadLettered();
        long version = 0;
        if (command.aggregateId != null) {
            try {
                version = snapshots.load(command.aggregateId).version();
            } catch (AggregateCode.InitialStateException e) {
                // version 0: the aggregate does not exist, and initialState is not needed to say so
            } catch (SnapshotStore.UnreadableSnapshotException e) {
                // version 0: what is stored cannot be read; the command is malformed either way
            }
        }
        DeadLetter letter = DeadLetter.of(record, command.problem, command.source(), outputs);
        forward(topics.dlq(), letter.key(), letter.value(), record.timestamp(), letter.headers());
        answer(record, command, result(command, Outcome.MALFORMED, version, 0, Outcome.MALFORMED.name(),
                command.problem, List.of()), false);
    }

    private void answer(Record<byte[], byte[]> record, Command command, CommandResult result, boolean remember) {
        byte[] bytes = encode(result);
        String tooLarge = resultProblem(command, bytes, remember);
        if (tooLarge != null) {
            // A refusal whose message or violations are too large: FAILED says so, in a result that fits.
            LOG.warn("{} '{}': command {} FAILED: {}", type.name(), command.aggregateId, command.id, tooLarge);
            bytes = encode(result(command, Outcome.FAILED, result.getVersion(), 0, Outcome.FAILED.name(), tooLarge, List.of()));
            remember = false;
        }
        answerEncoded(record, command, bytes, remember);
        meters.answered(tooLarge != null ? Outcome.FAILED : result.getOutcome(), clock.millis() - record.timestamp());
    }

    private void answerEncoded(Record<byte[], byte[]> record, Command command, byte[] bytes, boolean remember) {
        if (remember) {
            answered.remember(command.aggregateId, command.id, bytes);
        }
        forward(topics.results(), command.key, bytes, record.timestamp(), command.resultHeaders());
    }

    private byte[] encode(CommandResult result) {
        return codec.encode(resultsSubject, result);
    }

    /** The registry subject of an event on {@code S-events}, built once per event schema. */
    private String eventSubject(SpecificRecord event) {
        return eventSubjects.computeIfAbsent(event.getSchema(), schema -> SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.events(), schema));
    }

    /** Why the result record, or the answered-command store's changelog record for it, would be too large; null when both fit. */
    private String resultProblem(Command command, byte[] result, boolean remember) {
        String problem = outputs.problem("the result", command.key, result, command.resultHeaders());
        if (problem == null && remember) {
            problem = outputs.problem("the answered command's changelog record",
                    AnsweredCommands.key(command.aggregateId, command.id), AnsweredCommands.storedSize(result.length));
        }
        return problem;
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

    private void forward(String topic, byte[] key, byte[] value, long timestamp, Headers headers) {
        Record<byte[], byte[]> out = new Record<>(key, value, timestamp, headers);
        if (topic.equals(topics.results()) || topic.equals(topics.dlq())) {
            // To the partition the command came from: each is written by the task owning that command partition.
            resultPartitioner.to(context.taskId().partition(), () -> context.forward(out, sinkName(topic)));
        } else {
            context.forward(out, sinkName(topic));
        }
    }

    /** Step 1: key, headers and value, or the reason they cannot be read; nothing is decoded beyond {@link CommandLimits}. */
    private Command read(Record<byte[], byte[]> record, RecordMetadata where) {
        String problem = headersProblem(record.headers());
        byte[] idBytes = lastValue(record.headers(), ContractHeaders.COMMAND_ID);
        String id = idBytes == null || idBytes.length > limits.commandIdBytes() ? null : strictUtf8.decode(idBytes);
        if (problem == null && idBytes != null && id == null) {
            problem = idBytes.length > limits.commandIdBytes()
                    ? "the command-id header is " + idBytes.length + " bytes, over the limit of " + limits.commandIdBytes()
                            + " (" + CommandLimits.PREFIX + "command-id-bytes)"
                    : "the command-id header is not valid UTF-8";
        }
        if (id == null || id.isEmpty()) {
            id = source(where);
        }
        byte[] correlationBytes = lastValue(record.headers(), ContractHeaders.CORRELATION_ID);
        String correlation = correlationBytes == null ? null : strictUtf8.decode(correlationBytes);
        if (problem == null && correlationBytes != null && correlation == null) {
            problem = "the correlation-id header is not valid UTF-8";
        }
        byte[] key = record.key();
        boolean keyTooLong = key != null && key.length > limits.aggregateIdBytes();
        // A key too long to be an aggregate id is not repeated in the result: it could make the result too large.
        Command command = new Command(where, id, correlation == null || correlation.isEmpty() ? id : correlation, keyTooLong ? null : key,
                record.headers());
        command.processId = ContractHeaders.text(record.headers(), ContractHeaders.PROCESS_ID);
        if (problem != null) {
            return command.unreadable(problem);
        }
        if (key == null || key.length == 0) {
            return command.unreadable("the command has no key: the key must be the aggregate id");
        }
        if (keyTooLong) {
            return command.unreadable("the key is " + key.length + " bytes, over the aggregate id limit of "
                    + limits.aggregateIdBytes() + " (" + CommandLimits.PREFIX + "aggregate-id-bytes)");
        }
        String aggregateId = strictUtf8.decode(key);
        if (aggregateId == null) {
            return command.unreadable("the key is not valid UTF-8: the key must be the aggregate id as UTF-8 text");
        }
        command.aggregateId = aggregateId;
        byte[] expectedBytes = lastValue(record.headers(), ContractHeaders.EXPECTED_VERSION);
        String expected = expectedBytes == null ? null : strictUtf8.decode(expectedBytes);
        if (expectedBytes != null && expected == null) {
            return command.unreadable("the expected-version header is not valid UTF-8");
        }
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
        if (record.value() != null && record.value().length > limits.valueBytes()) {
            return command.unreadable("the value is " + record.value().length + " bytes, over the limit of "
                    + limits.valueBytes() + " (" + CommandLimits.PREFIX + "value-bytes)");
        }
        command.decoded = codec.decode(record.value(), commandTypes, avroBounds);
        if (command.decoded instanceof Decoded.Unreadable unreadable) {
            return command.unreadable(unreadable.reason());
        }
        return command;
    }

    /** Why the headers break {@link CommandLimits}; null when they do not. */
    private String headersProblem(Headers headers) {
        long total = 0;
        for (Header header : headers) {
            int size = header.key().length() + (header.value() == null ? 0 : header.value().length);
            if (size > limits.headerBytes()) {
                return "header '" + abbreviate(header.key()) + "' is " + size + " bytes, over the limit of "
                        + limits.headerBytes() + " (" + CommandLimits.PREFIX + "header-bytes)";
            }
            total += size;
        }
        return total <= limits.headersBytes() ? null : "the headers are " + total + " bytes together, over the limit of "
                + limits.headersBytes() + " (" + CommandLimits.PREFIX + "headers-bytes)";
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    private static byte[] lastValue(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }

    /** A record's place, {@code topic/partition/offset}: the id of a command (or instruction) that came without one. */
    static String source(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    private static String source(RecordMetadata where) {
        return source(where.topic(), where.partition(), where.offset());
    }

    @Override
    public void close() {
        if (rebuild != null) {
            rebuild.close();
        }
        if (cache != null) {
            cache.clear();
        }
        if (activity != null) {
            activity.released();
        }
    }

    /** The parts of one command record, filled in as they are read. */
    private static final class Command {
        final RecordMetadata where;
        final String id;
        final String correlationId;
        final byte[] key;
        TraceHeaders.Context trace;
        String aggregateId;
        long expectedVersion = CommandEvaluator.ANY_VERSION;
        String processId;
        Decoded decoded;
        String problem;
        private Headers resultHeaders;

        Command(RecordMetadata where, String id, String correlationId, byte[] key, Headers headers) {
            this.trace = TraceHeaders.of(headers);
            this.where = where;
            this.id = id;
            this.correlationId = correlationId;
            this.key = key;
        }

        /**
         * The headers of its result, built once: the size check, the answered store and the send share
         * them. Never changed once built ({@link Record} copies what it is given).
         */
        Headers resultHeaders() {
            if (resultHeaders == null) {
                resultHeaders = ContractHeaders.ofResult(id, correlationId, trace, processId);
            }
            return resultHeaders;
        }

        /** Its records from here on belong to {@code next} (the write step's span). */
        void traceOn(TraceHeaders.Context next) {
            trace = next;
            resultHeaders = null;
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
