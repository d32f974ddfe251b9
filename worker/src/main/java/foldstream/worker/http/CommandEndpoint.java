package foldstream.worker.http;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.CommandTimeoutException;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.serialization.SchemaRegistryException;
import foldstream.worker.serialization.WireFormatException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /aggregates/{type}/{id}/commands/{command}}: sends the body (plain JSON, or Avro's
 * JSON encoding) as that command through the {@link CommandGateway} and answers its
 * {@code CommandResult} in plain JSON: 200 accepted or no change, 409 wrong version or already
 * exists, 404 not found, 422 rejected, 500 failed, 504 no result in time. Headers
 * {@code Command-Id}, {@code Expected-Version}, {@code Correlation-Id}; {@code ?timeoutMs=}
 * (capped by {@link HttpLimits#maxWait()}); {@code ?answer=state} answers
 * {@code {"result": ..., "state": <the GET answer at the result's version>}}.
 *
 * <p>The type and command are checked before the body is read, and the body before anything is
 * sent: a refused request sends nothing to Kafka.
 */
public final class CommandEndpoint implements Endpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CommandEndpoint.class);

    private final CommandGateway gateway;
    private final ServedTypes types;
    private final AggregateReads reads;
    private final HttpLimits limits;

    public CommandEndpoint(CommandGateway gateway, ServedTypes types, AggregateReads reads, HttpLimits limits) {
        this.gateway = gateway;
        this.types = types;
        this.reads = reads;
        this.limits = limits;
    }

    @Override
    public CompletableFuture<Reply> answer(Call call) {
        String typeName = call.path("type");
        String id = call.path("id");
        AggregateType<?> type = types.require(typeName);
        String commandName = call.path("command");
        Class<? extends SpecificRecord> commandClass = type.commandNamed(commandName).orElseThrow(() -> new HttpProblem(404,
                "UNKNOWN_COMMAND", typeName + " has no command " + commandName + "; its commands are " + type.commandNames()));
        SendOptions options = options(call);
        boolean withState = withState(call);
        return call.body().thenCompose(body -> {
            SpecificRecord command;
            try {
                command = PlainJson.read(body, commandClass);
            } catch (WireFormatException e) {
                throw new HttpProblem(400, "INVALID_JSON", e.getMessage());
            }
            return send(typeName, id, command, options, withState);
        });
    }

    private SendOptions options(Call call) {
        long cap = limits.maxWait().toMillis();
        SendOptions options = SendOptions.defaults().withTimeout(Duration.ofMillis(Math.min(limits.commandTimeout().toMillis(), cap)));
        options = call.header("Command-Id").map(options::withCommandId).orElse(options);
        options = options.withExpectedVersion(Parameters.expectedVersion(call, "Expected-Version"));
        options = call.header("Correlation-Id").map(options::withCorrelationId).orElse(options);
        if (call.query("timeoutMs").isPresent()) {
            options = options.withTimeout(Duration.ofMillis(limits.capWaitMs(Parameters.positive(call, "timeoutMs", 0))));
        }
        return options;
    }

    /** {@code ?answer=result} (the default) or {@code ?answer=state}. */
    private static boolean withState(Call call) {
        String answer = call.query("answer").orElse("result");
        if (!answer.equals("result") && !answer.equals("state")) {
            throw new HttpProblem(400, "INVALID_PARAMETER", "answer must be 'result' or 'state', was '" + answer + "'");
        }
        return answer.equals("state");
    }

    private CompletableFuture<Reply> send(String typeName, String id, SpecificRecord command, SendOptions options, boolean withState) {
        CompletableFuture<CommandResult> sent;
        try {
            sent = gateway.send(typeName, id, command, options);
        } catch (SchemaRegistryException e) {
            LOG.error("command {} to {} '{}' not sent: the schema registry failed", options.commandId(), typeName, id, e);
            throw new HttpProblem(503, "NOT_SENT", "the command could not be encoded: the schema registry failed");
        }
        return sent.thenCompose(result -> withState ? withState(result, typeName, id, options.timeout().toMillis())
                        : CompletableFuture.completedFuture(Reply.of(status(result.getOutcome()), PlainJson.write(result))))
                .exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof CommandTimeoutException) {
                        return Reply.error(504, "TIMEOUT", "no result for command " + options.commandId() + " within "
                                + options.timeout().toMillis() + " ms; it may still be applied: send it again with the same"
                                + " Command-Id to get its result", Map.of("commandId", options.commandId()));
                    }
                    LOG.error("command {} to {} '{}' could not be sent", options.commandId(), typeName, id, cause);
                    return Reply.error(503, "NOT_SENT", "the command could not be sent to Kafka; the worker's log says why",
                            Map.of("commandId", options.commandId()));
                });
    }

    /**
     * The result with the state at its version, read through this API's own read path (here or
     * from the owner); null for refusals. When the state cannot be read, the result still answers,
     * with {@code stateError} saying why.
     */
    private CompletableFuture<Reply> withState(CommandResult result, String typeName, String id, long waitMs) {
        int status = status(result.getOutcome());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", PlainJson.write(result));
        body.put("state", null);
        if (result.getOutcome() != Outcome.ACCEPTED && result.getOutcome() != Outcome.NO_CHANGE) {
            return CompletableFuture.completedFuture(Reply.of(status, body));
        }
        return reads.read(typeName, id, result.getVersion(), waitMs, false).handle((state, error) -> {
            if (error != null) {
                LOG.error("reading the state of {} '{}' after command {} failed", typeName, id, result.getCommandId(), error);
                body.put("stateError", new Reply.ErrorBody("INTERNAL", "the state could not be read; the worker's log says why"));
            } else if (state.status() == 200) {
                body.put("state", state.body());
            } else {
                body.put("stateError", state.body());
            }
            return Reply.of(status, body);
        });
    }

    static int status(Outcome outcome) {
        return switch (outcome) {
            case ACCEPTED, NO_CHANGE -> 200;
            case WRONG_EXPECTED_VERSION, ALREADY_EXISTS -> 409;
            case NOT_FOUND -> 404;
            case REJECTED -> 422;
            case MALFORMED, UNKNOWN_COMMAND -> 400;
            case FAILED -> 500;
        };
    }
}
