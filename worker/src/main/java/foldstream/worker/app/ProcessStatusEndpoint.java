package foldstream.worker.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.protocol.ProcessCommand;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.worker.http.OwnerForwarding;
import foldstream.worker.http.Reply;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessEngine;
import foldstream.worker.process.runtime.ProcessSnapshotCodec;
import foldstream.worker.process.runtime.ProcessStores;
import foldstream.worker.serialization.AvroJson;
import foldstream.worker.serialization.AvroWireCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /processes/{name}/{id}}: one process instance (status, step, state, pending deadlines,
 * commands sent and their outcomes), from whichever worker instance owns it: read here, or asked of the
 * owner over HTTP ({@link OwnerForwarding}: the same TLS and credentials). Answers a status and a plain JSON body (maps and lists, for Jackson):
 *
 * <pre>{@code
 * {"process": "transfer", "id": "T1", "status": "ACTIVE", "step": 2, "state": {...},
 *  "correlationId": "...", "startedAt": "...", "updatedAt": "...", "finishedAt": null, "error": null,
 *  "deadlines": [{"name": "withdrawal", "dueAt": "..."}],
 *  "commands": [{"commandId": "...", "aggregateType": "ex_accounts", "aggregateId": "alice",
 *                "commandType": "foldstream.examples.accounts.Withdraw", "sentAt": "...", "outcome": "ACCEPTED", ...}]}
 * }</pre>
 * 404 for an unknown process or instance (a finished instance is gone once its retention is over), 503
 * while no instance owns it (rebalancing), 502 when the owner does not answer.
 */
public final class ProcessStatusEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ProcessType<?>> processes = new LinkedHashMap<>();
    private final Map<String, KafkaStreams> streams;
    private final AvroWireCodec codec;
    private final HostInfo self;
    private final ProcessSnapshotCodec snapshots = new ProcessSnapshotCodec();
    private final OwnerForwarding forwarding;

    /**
     * @param streams the running application of each process, by name
     * @param self this worker's {@code application.server}, as the others reach it
     * @param forwarding how to ask the owner: the same TLS and credentials as aggregate reads
     */
    public ProcessStatusEndpoint(List<? extends ProcessType<?>> processes, Map<String, KafkaStreams> streams, AvroWireCodec codec,
                                 HostInfo self, OwnerForwarding forwarding) {
        this.forwarding = forwarding;
        processes.forEach(p -> this.processes.put(p.name(), p));
        this.streams = Map.copyOf(streams);
        this.codec = codec;
        this.self = self;
    }

    /** An endpoint for a worker that runs no process. */
    public static ProcessStatusEndpoint none() {
        return new ProcessStatusEndpoint(List.of(), Map.of(), null, null, null);
    }

    /** @param forwarded whether another worker already forwarded the request here (then it is not forwarded again) */
    public CompletableFuture<Reply> get(String name, String id, boolean forwarded) {
        ProcessType<?> type = processes.get(name);
        KafkaStreams running = streams.get(name);
        if (type == null || running == null) {
            return error(404, "UNKNOWN_PROCESS", "no process " + name + " runs here; this worker runs " + processes.keySet());
        }
        String store = ProcessStores.of(name).instances();
        KeyQueryMetadata where;
        try {
            where = running.queryMetadataForKey(store, id, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return error(503, "NOT_READY", "the process is not running: " + e.getMessage());
        }
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return error(503, "NOT_READY", "no instance owns " + name + " '" + id + "' right now (rebalancing)");
        }
        if (!where.activeHost().equals(self)) {
            return forwarded ? error(503, "NOT_READY", "the owner changed while the request was forwarded")
                    : forwarding.get(where.activeHost(), "/processes/" + OwnerForwarding.encode(name) + "/" + OwnerForwarding.encode(id),
                            Duration.ZERO);
        }
        byte[] bytes;
        try {
            ReadOnlyKeyValueStore<String, byte[]> local = running.store(StoreQueryParameters.fromNameAndType(
                    store, QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(where.partition()));
            bytes = local.get(id);
        } catch (InvalidStateStoreException e) {
            return error(503, "NOT_READY", "the store of " + name + " is not queryable now: " + e.getMessage());
        }
        if (bytes == null) {
            return error(404, "NOT_FOUND", "process " + name + " has no instance '" + id + "' (never started, or removed after its retention)");
        }
        return CompletableFuture.completedFuture(Reply.ok(view(new ProcessEngine<>(type, codec), snapshots.decode(bytes))));
    }

    /** The instance as plain JSON values. */
    static Map<String, Object> view(ProcessEngine<?> engine, ProcessSnapshot snapshot) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("process", snapshot.getProcess());
        body.put("id", snapshot.getInstanceId());
        body.put("status", snapshot.getStatus().name());
        body.put("step", snapshot.getStep());
        body.put("state", state(engine, snapshot));
        body.put("correlationId", snapshot.getCorrelationId());
        body.put("startedAt", snapshot.getStartedAt().toString());
        body.put("updatedAt", snapshot.getUpdatedAt().toString());
        body.put("finishedAt", snapshot.getFinishedAt() == null ? null : snapshot.getFinishedAt().toString());
        body.put("error", snapshot.getError());
        List<Map<String, Object>> deadlines = new ArrayList<>();
        for (ProcessDeadline deadline : snapshot.getDeadlines()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", deadline.getName());
            d.put("dueAt", deadline.getDueAt().toString());
            deadlines.add(d);
        }
        body.put("deadlines", deadlines);
        List<Map<String, Object>> commands = new ArrayList<>();
        for (ProcessCommand command : snapshot.getCommands()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("commandId", command.getCommandId());
            c.put("aggregateType", command.getAggregateType());
            c.put("aggregateId", command.getAggregateId());
            c.put("commandType", command.getCommandType());
            c.put("sentAt", command.getSentAt().toString());
            c.put("outcome", command.getOutcome() == null ? null : command.getOutcome().name());
            c.put("errorCode", command.getErrorCode());
            c.put("message", command.getMessage());
            commands.add(c);
        }
        body.put("commands", commands);
        return body;
    }

    private static Object state(ProcessEngine<?> engine, ProcessSnapshot snapshot) {
        try {
            JsonNode node = JSON.readTree(AvroJson.write(engine.state(snapshot)));
            return node;
        } catch (IOException | RuntimeException e) {
            return Map.of("error", "the state cannot be read: " + e.getMessage());
        }
    }

    private static CompletableFuture<Reply> error(int status, String error, String message) {
        return CompletableFuture.completedFuture(Reply.error(status, error, message));
    }

}
