package foldstream.worker.process.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Route;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of a process: keys each input by its process instance id, for the repartition that
 * brings an instance's inputs to one task. Events of the followed types go where
 * {@link foldstream.worker.process.ProcessManager#route} says; results go to the instance named by
 * their {@code process-id} header ({@code <process>/<instance>}), others' results are dropped.
 */
final class ProcessRouter implements Processor<byte[], byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRouter.class);

    private final ProcessType<?> type;
    private final AvroWireCodec codec;
    private final String resultPrefix;
    private final Map<String, Map<String, Class<? extends SpecificRecord>>> eventsByTopic;
    private ProcessorContext<String, byte[]> context;

    ProcessRouter(ProcessType<?> type, AvroWireCodec codec) {
        this.type = type;
        this.codec = codec;
        this.resultPrefix = type.name() + "/";
        this.eventsByTopic = eventsByTopic(type);
    }

    /** The followed event classes by their full Avro name, by events topic. */
    static Map<String, Map<String, Class<? extends SpecificRecord>>> eventsByTopic(ProcessType<?> type) {
        Map<String, Map<String, Class<? extends SpecificRecord>>> byTopic = new HashMap<>();
        type.follows().forEach((aggregateType, events) -> {
            Map<String, Class<? extends SpecificRecord>> byName = new HashMap<>();
            events.forEach(event -> byName.put(SpecificData.get().getSchema(event).getFullName(), event));
            byTopic.put(AggregateTopics.of(aggregateType).events(), byName);
        });
        return Map.copyOf(byTopic);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        Map<String, Class<? extends SpecificRecord>> events = eventsByTopic.get(topic);
        if (events == null) {
            result(record, topic);
        } else {
            event(record, topic, events);
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

    private void event(Record<byte[], byte[]> record, String topic, Map<String, Class<? extends SpecificRecord>> events) {
        String aggregateType = topic.substring(0, topic.length() - "-events".length());
        Decoded decoded = codec.decode(record.value(), events);
        if (decoded instanceof Decoded.UnknownType) {
            return;
        }
        String where = topic + "/" + context.recordMetadata().map(m -> m.partition() + "/" + m.offset()).orElse("?");
        if (decoded instanceof Decoded.Unreadable unreadable) {
            LOG.warn("process {}: skipping the unreadable event at {}: {}", type.name(), where, unreadable.reason());
            return;
        }
        SpecificRecord event = ((Decoded.Record) decoded).record();
        EventMeta meta = meta(record, aggregateType, where);
        Route route;
        try {
            route = type.manager().route(event, meta);
        } catch (RuntimeException e) {
            LOG.error("process {}: route threw on the event at {}; the event is skipped", type.name(), where, e);
            return;
        }
        if (route instanceof Route.Ignore || route == null) {
            return;
        }
        boolean start = route instanceof Route.Start;
        String instanceId = start ? ((Route.Start) route).instanceId() : ((Route.Continue) route).instanceId();
        Headers headers = new RecordHeaders(record.headers().toArray())
                .add(RoutedInput.KIND, utf8(RoutedInput.EVENT))
                .add(RoutedInput.ROUTE, utf8(start ? RoutedInput.START : RoutedInput.CONTINUE))
                .add(RoutedInput.SOURCE_TOPIC, utf8(topic));
        if (record.key() != null) {
            headers.add(RoutedInput.SOURCE_KEY, record.key());
        }
        if (ContractHeaders.text(record.headers(), ContractHeaders.EVENT_ID) == null) {
            headers.add(ContractHeaders.EVENT_ID, utf8(meta.eventId()));   // its place: the same on every run
        }
        context.forward(new Record<>(instanceId, record.value(), record.timestamp(), headers));
    }

    /** The event's metadata from its key and headers; an event without an {@code event-id} is named by its place. */
    static EventMeta meta(Record<?, byte[]> record, String aggregateType, String where) {
        Headers headers = record.headers();
        byte[] key = headers.lastHeader(RoutedInput.SOURCE_KEY) != null ? headers.lastHeader(RoutedInput.SOURCE_KEY).value()
                : (byte[]) record.key();
        String eventId = ContractHeaders.text(headers, ContractHeaders.EVENT_ID);
        String version = ContractHeaders.text(headers, ContractHeaders.AGGREGATE_VERSION);
        long parsed;
        try {
            parsed = version == null ? 0 : Long.parseLong(version.trim());
        } catch (NumberFormatException e) {
            parsed = 0;
        }
        return new EventMeta(aggregateType, key == null ? "" : new String(key, StandardCharsets.UTF_8), parsed,
                eventId == null || eventId.isEmpty() ? where : eventId,
                ContractHeaders.text(headers, ContractHeaders.CORRELATION_ID), Instant.ofEpochMilli(record.timestamp()));
    }
}
