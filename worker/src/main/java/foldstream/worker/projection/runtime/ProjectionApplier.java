package foldstream.worker.projection.runtime;

import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventMeta;
import foldstream.worker.runtime.ContractHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 */
final class ProjectionApplier<S> implements Processor<byte[], byte[], byte[], byte[]> {

    static final String STATES = "states";
    static final String APPLIED = "applied";
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionApplier.class);

    private final EmbeddedProjection<S> projection;
    private final ProjectionEventReader reader;
    private final StateJson json;
    private final Sleeper sleeper;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> applied;

    /** Waits between retries; the tests pass one that does not wait. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    ProjectionApplier(EmbeddedProjection<S> projection, ProjectionEventReader reader, StateJson json, Sleeper sleeper) {
        this.projection = projection;
        this.reader = reader;
        this.json = json;
        this.sleeper = sleeper;
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
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
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
            return;
        }
        if (progress.stopped().isPresent() || meta.version() <= progress.version()) {
            return;
        }
        if (read instanceof ProjectionEventReader.Unreadable unreadable) {
            stop(progressKey, progress, "projection " + projection.id() + " stopped " + meta.describe() + ": unreadable: "
                    + unreadable.reason());
            return;
        }
        if (read instanceof ProjectionEventReader.Wanted wanted) {
            S state = current(key);
            int retry = 0;
            while (true) {
                try {
                    for (SpecificRecord event : wanted.events()) {
                        state = projection.apply(state, event, meta);
                    }
                    break;
                } catch (RuntimeException e) {
                    ErrorPolicy policy = projection.errorPolicy();
                    if (retry < policy.retries()) {
                        retry++;
                        LOG.warn("projection {}: handler failed on {} ({}); retry {} of {}", projection.id(), meta.describe(), e,
                                retry, policy.retries());
                        if (!pause(policy.backoffBefore(retry))) {
                            throw e;   // interrupted: the task closes and the event is redone elsewhere
                        }
                        state = current(key);
                        continue;
                    }
                    String reason = "projection " + projection.id() + " failed on " + meta.describe() + " after " + (retry + 1)
                            + " attempt(s): " + e;
                    if (policy instanceof ErrorPolicy.RetryThenPark) {
                        LOG.error("{}; parked on the dead-letter topic, the projection goes on", reason, e);
                        park(record, reason, meta);
                        applied.put(progressKey, progress.at(meta.version()).encode());
                    } else {
                        LOG.error("{}", reason, e);
                        stop(progressKey, progress, reason + "; the aggregate is stopped here until the projection is rebuilt");
                    }
                    return;
                }
            }
            byte[] written = json.write(state);
            states.put(key, written);
            if (projection.publishes()) {
                context.forward(new Record<>(record.key(), written, record.timestamp(), output(new RecordHeaders(), ProjectionSteps.OUTPUT_STATE)));
            }
        }
        applied.put(progressKey, progress.at(meta.version()).encode());
    }

    private S current(String key) {
        byte[] stored = states.get(key);
        return stored == null ? projection.initialState() : json.read(stored, projection.stateClass());
    }

    private boolean pause(Duration wait) {
        try {
            sleeper.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
}
