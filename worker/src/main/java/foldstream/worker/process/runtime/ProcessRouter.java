package foldstream.worker.process.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Route;
import foldstream.worker.runtime.ContractHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of a process: keys each input by its process instance id, for the repartition that
 * brings an instance's inputs to one task. Events of the followed types (read through the
 * {@link foldstream.worker.runtime.EventReader}, so upcasters apply) go where
 * {@link foldstream.worker.process.ProcessManager#route} says; results go to the instance named by
 * their {@code process-id} header ({@code <process>/<instance>}), others' results are dropped.
 */
final class ProcessRouter implements Processor<byte[], byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRouter.class);

    private final ProcessType<?> type;
    private final String resultPrefix;
    private final FollowedEvents followed;
    private ProcessorContext<String, byte[]> context;

    ProcessRouter(ProcessType<?> type, FollowedEvents followed) {
        this.type = type;
        this.followed = followed;
        this.resultPrefix = type.name() + "/";
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        if (followed.follows(topic)) {
            event(record, topic);
        } else {
            result(record, topic);
        }
    }

    private void result(Record<byte[], byte[]> record, String topic) {
        String processId = ContractHeaders.text(record.headers(), ContractHeaders.PROCESS_ID);
        if (processId == null || !processId.startsWith(resultPrefix) || processId.length() == resultPrefix.length()) {
            return;
        }
        Headers headers = new RecordHeaders(record.headers().toArray())
                .add(RoutedInput.KIND, utf8(RoutedInput.RESULT))
                .add(RoutedInput.SOURCE_TOPIC, utf8(topic));
        context.forward(new Record<>(processId.substring(resultPrefix.length()), record.value(), record.timestamp(), headers));
    }

    private void event(Record<byte[], byte[]> record, String topic) {
        String where = topic + "/" + context.recordMetadata().map(m -> m.partition() + "/" + m.offset()).orElse("?");
        List<FollowedEvents.Followed> events;
        try {
            events = followed.read(topic, record.value());
        } catch (IllegalArgumentException unreadable) {
            LOG.warn("process {}: skipping the unreadable event at {}: {}", type.name(), where, unreadable.getMessage());
            return;
        }
        for (FollowedEvents.Followed event : events) {
            EventMeta meta = meta(record, followed.aggregateType(topic), where, event);
            Route route;
            try {
                route = type.manager().route(event.event(), meta);
            } catch (RuntimeException e) {
                LOG.error("process {}: route threw on the event at {}; the event is skipped", type.name(), where, e);
                continue;
            }
            if (route instanceof Route.Ignore || route == null) {
                continue;
            }
            boolean start = route instanceof Route.Start;
            String instanceId = start ? ((Route.Start) route).instanceId() : ((Route.Continue) route).instanceId();
            Headers headers = new RecordHeaders(record.headers().toArray())
                    .add(RoutedInput.KIND, utf8(RoutedInput.EVENT))
                    .add(RoutedInput.ROUTE, utf8(start ? RoutedInput.START : RoutedInput.CONTINUE))
                    .add(RoutedInput.SOURCE_TOPIC, utf8(topic))
                    .add(RoutedInput.EVENT_INDEX, utf8(event.index()));
            if (record.key() != null) {
                headers.add(RoutedInput.SOURCE_KEY, record.key());
            }
            if (ContractHeaders.text(record.headers(), ContractHeaders.EVENT_ID) == null) {
                headers.add(ContractHeaders.EVENT_ID, utf8(where));   // its place: the same on every run
            }
            context.forward(new Record<>(instanceId, record.value(), record.timestamp(), headers));
        }
    }

    /** The event's metadata from its key and headers; an event without an {@code event-id} is named by its place. */
    static EventMeta meta(Record<?, byte[]> record, String aggregateType, String where, FollowedEvents.Followed event) {
        Headers headers = record.headers();
        byte[] key = headers.lastHeader(RoutedInput.SOURCE_KEY) != null ? headers.lastHeader(RoutedInput.SOURCE_KEY).value()
                : (byte[]) record.key();
        String stored = ContractHeaders.text(headers, ContractHeaders.EVENT_ID);
        String eventId = stored == null || stored.isEmpty() ? where : stored;
        if (event.of() > 1) {
            eventId = eventId + "/" + event.index();   // one of several an upcaster made of one stored event
        }
        String version = ContractHeaders.text(headers, ContractHeaders.AGGREGATE_VERSION);
        long parsed;
        try {
            parsed = version == null ? 0 : Long.parseLong(version.trim());
        } catch (NumberFormatException e) {
            parsed = 0;
        }
        return new EventMeta(aggregateType, key == null ? "" : new String(key, StandardCharsets.UTF_8), parsed,
                eventId,
                ContractHeaders.text(headers, ContractHeaders.CORRELATION_ID), Instant.ofEpochMilli(record.timestamp()));
    }
}
