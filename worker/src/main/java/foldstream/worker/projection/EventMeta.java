package foldstream.worker.projection;

import java.time.Instant;

/**
 * What a projection knows about one event besides its record: where it comes from (aggregate type,
 * id and the version it brought the aggregate to), its identities (event, command, correlation,
 * causation) and where it was read (topic, partition, offset).
 *
 * <pre>{@code
 * .on(UserCreated.class, (state, created, meta) -> new UserEntry(meta.aggregateId(), created.getEmail(), meta.timestamp().toEpochMilli()))
 * }</pre>
 *
 * @param timestamp the event record's timestamp (when the worker wrote it)
 */
public record EventMeta(String aggregateType, String aggregateId, long version, String eventId, String commandId,
                        String correlationId, String causationId, Instant timestamp, String topic, int partition, long offset) {

    /** {@code topic/partition/offset}, as Foldstream names a record in messages. */
    public String source() {
        return topic + "/" + partition + "/" + offset;
    }

    /** {@code type 'id' version N}, as Foldstream names an event in messages. */
    public String describe() {
        return aggregateType + " '" + aggregateId + "' version " + version + " (" + source() + ")";
    }
}
