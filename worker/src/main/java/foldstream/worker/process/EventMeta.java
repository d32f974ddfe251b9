package foldstream.worker.process;

import java.time.Instant;

/**
 * Where an event came from, from its record's key and headers (README, "Topics and records").
 *
 * @param aggregateType the stream name of the aggregate type that wrote it ({@code ex_transfers})
 * @param aggregateId the record's key
 * @param version the {@code aggregate-version} it brought the aggregate to
 * @param eventId its {@code event-id}
 * @param correlationId its {@code correlation-id}: the commands the process sends carry it on
 * @param timestamp the record's timestamp
 */
public record EventMeta(String aggregateType, String aggregateId, long version, String eventId, String correlationId,
                        Instant timestamp) {
}
