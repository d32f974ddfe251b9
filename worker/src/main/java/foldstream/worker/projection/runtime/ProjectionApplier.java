package foldstream.worker.projection.runtime;

import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventMeta;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.HeldCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
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
 * The second half of an embedded projection, on the partitions of the projection key: folds each
 * event into its key's state with the projection's handler and records, per key and aggregate, the
 * last version applied (read-your-writes asks it), all in the task's stores under exactly-once.
 * A handler that keeps failing meets the projection's {@link ErrorPolicy}; a parked event is
 * forwarded to the dead-letter topic, and, when the projection publishes, every new state to its
 * state topic (header {@value ProjectionSteps#OUTPUT} says which).
 *
 * <p>Retries are counted durably: a failed event and every record of the task behind it are held in
 * the store {@value #RETRIES} (in order, under exactly-once, as {@link HeldCommands}), with the
 * failed attempts so far and when the next is due; a wall-clock punctuation retries it then. The
 * input offsets commit meanwhile, so a restart finds the held records and the count in the store,
 * and the policy's limit holds across restarts: a poison event cannot be retried forever. The
 * thread is never put to sleep: the task's other work and its commits go on while it waits.
 */
final class ProjectionApplier<S> implements Processor<byte[], byte[], byte[], byte[]> {

    static final String STATES = "states";
    static final String APPLIED = "applied";
    /** The held records behind a failed event (keys 0 and up) and its retry (key {@value #RETRY_KEY}). */
    static final String RETRIES = "retries";
    private static final long RETRY_KEY = -2;
    /** How often the punctuation looks for a due retry; the backoff is rounded up to it. */
    static final Duration RETRY_CHECK = Duration.ofMillis(100);
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionApplier.class);

    private final EmbeddedProjection<S> projection;
    private final ProjectionEventReader reader;
    private final StateJson json;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> applied;
    private KeyValueStore<Long, byte[]> retries;
    private HeldCommands held;

    /** What became of one record. */
    private enum Outcome { DONE, RETRY_LATER }

    ProjectionApplier(EmbeddedProjection<S> projection, ProjectionEventReader reader, StateJson json) {
        this.projection = projection;
        this.reader = reader;
        this.json = json;
    }

    /** The key of {@value #APPLIED}: the projection key, then the aggregate, so one key's entries sort together. */
    static String appliedKey(String key, String aggregateType, String aggregateId) {
        return key + "\u0000" + aggregateType + "/" + aggregateId;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(STATES);
        this.applied = context.getStateStore(APPLIED);
        this.retries = context.getStateStore(RETRIES);
        this.held = new HeldCommands(retries);
        context.schedule(RETRY_CHECK, PunctuationType.WALL_CLOCK_TIME, this::retryWhenDue);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (!held.isEmpty()) {
            // An earlier event waits for its retry: the task's records keep their order behind it.
            held.add(record, context.recordMetadata().orElseThrow());
            return;
        }
        if (step(record, 0) == Outcome.RETRY_LATER) {
            held.add(record, context.recordMetadata().orElseThrow());
        }
    }

    /** Retries the held event once due; on its success or end, the records behind it in order. */
    private void retryWhenDue(long now) {
        if (held.isEmpty()) {
            return;
        }
        Optional<Retry> retry = Optional.ofNullable(retries.get(RETRY_KEY)).map(Retry::decode);
        if (retry.isPresent() && retry.get().dueAt() > now) {
            return;
        }
        int failedBefore = retry.map(Retry::failed).orElse(0);
        while (!held.isEmpty()) {
            Record<byte[], byte[]> next = held.peek().orElseThrow().record();
            if (step(next, failedBefore) == Outcome.RETRY_LATER) {
                return;   // step stored the new count and due time
            }
            held.poll();
            if (failedBefore > 0) {
                retries.delete(RETRY_KEY);
                failedBefore = 0;
            }
        }
    }

    /**
     * Projects one record: {@link Outcome#RETRY_LATER} when its handler failed and the policy allows
     * another attempt (the count and due time are stored); the caller keeps the record held.
     */
    private Outcome step(Record<byte[], byte[]> record, int failedBefore) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        String step = ContractHeaders.text(record.headers(), ProjectionSteps.STEP);
        byte[] aggregateId = ContractHeaders.utf8(ContractHeaders.text(record.headers(), ProjectionSteps.AGGREGATE_ID));
        ProjectionSteps.Source source = ProjectionSteps.Source.of(record.headers());
        ProjectionEventReader.Read read = ProjectionSteps.EVENT.equals(step)
                ? reader.read(source.topic(), source.partition(), source.offset(), record.timestamp(), aggregateId, record.headers(), record.value())
                : reader.metaOnly(source.topic(), source.partition(), source.offset(), record.timestamp(), aggregateId, record.headers());
        EventMeta meta = read.meta();
        String progressKey = appliedKey(key, meta.aggregateType(), meta.aggregateId());
        Progress progress = Progress.decode(applied.get(progressKey));
        if (ProjectionSteps.STOP.equals(step)) {
            applied.put(progressKey, progress.stop(new String(record.value(), StandardCharsets.UTF_8)).encode());
            return Outcome.DONE;
        }
        if (progress.stopped().isPresent() || meta.version() <= progress.version()) {
            return Outcome.DONE;
        }
        if (read instanceof ProjectionEventReader.Unreadable unreadable) {
            stop(progressKey, progress, "projection " + projection.id() + " stopped " + meta.describe() + ": unreadable: "
                    + unreadable.reason());
            return Outcome.DONE;
        }
        if (read instanceof ProjectionEventReader.Wanted wanted) {
            S state = current(key);
            try {
                for (SpecificRecord event : wanted.events()) {
                    state = projection.apply(state, event, meta);
                }
            } catch (RuntimeException e) {
                ErrorPolicy policy = projection.errorPolicy();
                int failed = failedBefore + 1;
                if (failed <= policy.retries()) {
                    Duration wait = policy.backoffBefore(failed);
                    LOG.warn("projection {}: handler failed on {} ({}); retry {} of {} in {} ms", projection.id(), meta.describe(), e,
                            failed, policy.retries(), wait.toMillis());
                    retries.put(RETRY_KEY, new Retry(failed, context.currentSystemTimeMs() + wait.toMillis()).encode());
                    return Outcome.RETRY_LATER;
                }
                String reason = "projection " + projection.id() + " failed on " + meta.describe() + " after " + failed
                        + " attempt(s): " + e;
                if (policy instanceof ErrorPolicy.RetryThenPark) {
                    LOG.error("{}; parked on the dead-letter topic, the projection goes on", reason, e);
                    park(record, reason, meta);
                    applied.put(progressKey, progress.at(meta.version()).encode());
                } else {
                    LOG.error("{}", reason, e);
                    stop(progressKey, progress, reason + "; the aggregate is stopped here until the projection is rebuilt");
                }
                return Outcome.DONE;
            }
            byte[] written = json.write(state);
            states.put(key, written);
            if (projection.publishes()) {
                context.forward(new Record<>(record.key(), written, record.timestamp(), output(new RecordHeaders(), ProjectionSteps.OUTPUT_STATE)));
            }
        }
        applied.put(progressKey, progress.at(meta.version()).encode());
        return Outcome.DONE;
    }

    private S current(String key) {
        byte[] stored = states.get(key);
        return stored == null ? projection.initialState() : json.read(stored, projection.stateClass());
    }

    private void stop(String progressKey, Progress progress, String reason) {
        LOG.error("{}", reason);
        applied.put(progressKey, progress.stop(reason).encode());
    }

    private static Headers output(Headers headers, String output) {
        return headers.add(ProjectionSteps.OUTPUT, ContractHeaders.utf8(output));
    }

    private void park(Record<byte[], byte[]> record, String reason, EventMeta meta) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(ProjectionSteps.STEP).remove(ProjectionSteps.AGGREGATE_ID).remove(ProjectionSteps.SOURCE);
        headers.add(ContractHeaders.DLQ_ERROR, ContractHeaders.utf8(reason));
        headers.add(ContractHeaders.DLQ_SOURCE, ContractHeaders.utf8(meta.source()));
        context.forward(new Record<>(ContractHeaders.utf8(meta.aggregateId()), record.value(), record.timestamp(),
                output(headers, ProjectionSteps.OUTPUT_DLQ)));
    }

    /** The held event's failed attempts so far and when the next is due (wall clock, ms). */
    private record Retry(int failed, long dueAt) {
        byte[] encode() {
            return ByteBuffer.allocate(12).putInt(failed).putLong(dueAt).array();
        }

        static Retry decode(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new Retry(buffer.getInt(), buffer.getLong());
        }
    }
}
