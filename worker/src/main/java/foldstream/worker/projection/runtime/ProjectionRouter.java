package foldstream.worker.projection.runtime;

import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.EventMeta;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of an embedded projection, on the partitions of {@code S-events}: checks each
 * aggregate's versions (a duplicate is skipped, a gap stops the aggregate naming it) and decides the
 * key each event's state lives under, then forwards it, keyed by that key, to the
 * {@link ProjectionApplier}. Its store {@value #VERSIONS} holds per aggregate the last version seen.
 */
final class ProjectionRouter<S> implements Processor<byte[], byte[], byte[], byte[]> {

    static final String VERSIONS = "versions";
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRouter.class);

    private final EmbeddedProjection<S> projection;
    private final ProjectionEventReader reader;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> versions;

    ProjectionRouter(EmbeddedProjection<S> projection, ProjectionEventReader reader) {
        this.projection = projection;
        this.reader = reader;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.versions = context.getStateStore(VERSIONS);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        ProjectionEventReader.Read read;
        if (projection.keyedOtherwise()) {
            read = reader.read(where.topic(), where.partition(), where.offset(), record.timestamp(), record.key(), record.headers(),
                    record.value());
        } else {
            // Keyed by aggregate id: the applier decodes; here only the headers matter.
            read = reader.metaOnly(where.topic(), where.partition(), where.offset(), record.timestamp(), record.key(), record.headers());
        }
        EventMeta meta = read.meta();
        if (meta.aggregateId() == null || meta.version() < 1) {
            LOG.error("projection {}: the record at {} is not an event of the contract ({}); it is not projected",
                    projection.id(), meta.source(), ((ProjectionEventReader.Unreadable) read).reason());
            return;
        }
        String aggregate = meta.aggregateType() + "/" + meta.aggregateId();
        Progress progress = Progress.decode(versions.get(aggregate));
        if (progress.stopped().isPresent() || meta.version() <= progress.version()) {
            return;   // stopped earlier (named then), or a duplicate
        }
        Optional<String> key = progress.key().or(() -> projection.keyedOtherwise() ? Optional.empty() : Optional.of(meta.aggregateId()));
        if (meta.version() > progress.version() + 1) {
            String reason = progress.gap(projection.id(), meta);
            stop(aggregate, progress, reason, key, record, meta);
            return;
        }
        if (read instanceof ProjectionEventReader.Wanted wanted) {
            for (var event : wanted.events()) {
                Optional<String> declared;
                try {
                    declared = projection.declaredKey(event, meta);
                } catch (RuntimeException e) {
                    stop(aggregate, progress, "projection " + projection.id() + " stopped " + meta.describe()
                            + ": its key function failed: " + e, key, record, meta);
                    return;
                }
                if (declared.isPresent()) {
                    key = declared;
                    break;
                }
            }
            if (key.isEmpty()) {
                stop(aggregate, progress, "projection " + projection.id() + " stopped " + meta.describe()
                        + ": no key for it (no earlier event of the aggregate declared one)", key, record, meta);
                return;
            }
        } else if (read instanceof ProjectionEventReader.Unreadable unreadable && projection.keyedOtherwise()) {
            stop(aggregate, progress, "projection " + projection.id() + " stopped " + meta.describe() + ": unreadable: "
                    + unreadable.reason(), key, record, meta);
            return;
        }
        Progress next = progress.at(meta.version());
        if (key.isPresent() && !key.equals(progress.key())) {
            next = next.keyedTo(key.get());
        }
        versions.put(aggregate, next.encode());
        if (key.isEmpty()) {
            return;   // no state of it yet: nothing to tell the applier
        }
        // Keyed by aggregate id, the router has not decoded: the applier tells events from markers.
        String step = projection.keyedOtherwise() && read instanceof ProjectionEventReader.NotWanted ? ProjectionSteps.MARKER : ProjectionSteps.EVENT;
        context.forward(new Record<>(ProjectionSteps.bytes(key.get()), step.equals(ProjectionSteps.MARKER) ? new byte[0] : record.value(),
                record.timestamp(), ProjectionSteps.headers(record.headers(), step, meta.aggregateId(), meta.topic(), meta.partition(),
                meta.offset())));
    }

    private void stop(String aggregate, Progress progress, String reason, Optional<String> key, Record<byte[], byte[]> record,
                      EventMeta meta) {
        LOG.error("{}", reason);
        versions.put(aggregate, progress.stop(reason).encode());
        key.ifPresent(k -> context.forward(new Record<>(ProjectionSteps.bytes(k), ProjectionSteps.bytes(reason), record.timestamp(),
                ProjectionSteps.headers(record.headers(), ProjectionSteps.STOP, meta.aggregateId(), meta.topic(), meta.partition(),
                        meta.offset()))));
    }
}
