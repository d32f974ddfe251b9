package foldstream.ops.cli;

import foldstream.ops.demo.TopicTail;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.app.RegistryClientFactory;
import foldstream.worker.gateway.CommandGateway;
import foldstream.worker.gateway.CommandTimeoutException;
import foldstream.worker.gateway.SendOptions;
import foldstream.worker.http.PlainJson;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryException;
import foldstream.worker.serialization.WireFormatException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream send TYPE ID COMMAND JSON}: sends one command through a {@link CommandGateway}
 * and prints its result.
 *
 * <pre>{@code
 * foldstream send ex_accounts a1 OpenAccount '{"owner": "ann"}'
 * foldstream send ex_accounts a1 Deposit '{"amount": 10}' --expected-version 1 --json
 * }</pre>
 */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Sends a command to an aggregate and prints its result. The JSON is the command record as plain JSON"
                    + " ({\"owner\": \"ann\"}, null for an absent value); Avro's JSON encoding is accepted too.",
            "A command that gets no result in time may still be applied: send it again with the same --command-id,"
                    + " which is never applied twice and answers its result."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:accepted, or no change",
            "1:Kafka or the schema registry unreachable or failing (the message names the address)",
            "2:bad usage: unknown type or command, JSON that does not fit the command's schema",
            "3:answered but not accepted: rejected, wrong version, not found, already exists, ...",
            "4:no result in time (the message says how to retry)"})
final class SendCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TYPE", description = "The aggregate type, e.g. ex_accounts")
    String typeName;

    @Parameters(index = "1", paramLabel = "ID", description = "The aggregate id")
    String id;

    @Parameters(index = "2", paramLabel = "COMMAND", description = "The command's record name, simple (Deposit) or full")
    String commandName;

    @Parameters(index = "3", paramLabel = "JSON", description = "The command in Avro's JSON encoding, e.g. '{\"amount\": 10}'")
    String json;

    @Option(names = "--command-id", paramLabel = "ID", description = "The command id, its idempotency key (default: a new random one)")
    String commandId;

    @Option(names = "--expected-version", paramLabel = "N", defaultValue = "-1",
            description = "0: the aggregate must not exist yet; N: it must be at version N (default: any)")
    long expectedVersion;

    @Option(names = "--correlation-id", paramLabel = "ID", description = "Carried to the events and the result (default: the command id)")
    String correlationId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for the result, e.g. 500ms, 10s (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final RegistryClientFactory registries;
    private final List<AggregateType<?>> known;

    SendCommand(Map<String, String> env, RegistryClientFactory registries, List<? extends AggregateType<?>> known) {
        this.env = Map.copyOf(env);
        this.registries = registries;
        this.known = List.copyOf(known);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return send(out, err);
        } catch (CliFailure e) {
            err.println("foldstream send: " + e.getMessage());
            return e.status();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int send(PrintWriter out, PrintWriter err) throws InterruptedException {
        // Everything that can be checked here is, before connecting to anything.
        AggregateType<?> type = ClientOptions.type(known, typeName);
        Class<? extends SpecificRecord> commandClass = type.commandNamed(commandName).orElseThrow(() -> new CliFailure(
                ExitStatus.USAGE, type.name() + " has no command " + commandName + "; its commands: "
                + String.join(", ", type.commandNames())));
        SpecificRecord command;
        try {
            command = PlainJson.read(json, commandClass);
        } catch (WireFormatException e) {
            throw new CliFailure(ExitStatus.USAGE, e.getMessage());
        }
        SendOptions options;
        try {
            options = SendOptions.defaults().withExpectedVersion(expectedVersion).withTimeout(timeout);
            if (commandId != null) {
                options = options.withCommandId(commandId);
            }
            if (correlationId != null) {
                options = options.withCorrelationId(correlationId);
            }
        } catch (IllegalArgumentException e) {
            throw new CliFailure(ExitStatus.USAGE, e.getMessage());
        }

        client.requireTopics(env, type, ClientOptions.topicsOf(type, ClientOptions.TopicKind.COMMANDS, ClientOptions.TopicKind.RESULTS));
        try {
            return send(out, err, type, commandClass, command, options);
        } catch (KafkaException | IllegalStateException e) {
            throw new CliFailure(ExitStatus.FAILED, "Kafka at " + client.bootstrapServers(env) + " failed: " + e.getMessage());
        }
    }

    private int send(PrintWriter out, PrintWriter err, AggregateType<?> type, Class<? extends SpecificRecord> commandClass,
                     SpecificRecord command, SendOptions options) throws InterruptedException {
        String registryUrl = client.schemaRegistryUrl(env);
        try (SchemaRegistryClient registry = client.registry(env, registries);
             CommandGateway gateway = new CommandGateway(client.kafka(env), new AvroWireCodec(registry, client.autoRegister(env)), List.of(type.name()))) {
            CommandResult result;
            try {
                result = gateway.send(type.name(), id, command, options).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (SchemaRegistryException e) {
                throw new CliFailure(ExitStatus.FAILED, "the schema registry at " + registryUrl + " failed: " + e.getMessage());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof CommandTimeoutException) {
                    return timedOut(out, err, options);
                }
                throw new CliFailure(ExitStatus.FAILED, "the command could not be sent to Kafka at " + client.bootstrapServers(env)
                        + ": " + e.getCause());
            } catch (TimeoutException e) {
                return timedOut(out, err, options);
            }
            if (client.json) {
                out.println(PlainJson.writeString(result));
            } else {
                out.println(type.name() + " '" + id + "' " + commandClass.getSimpleName() + " (command-id " + result.getCommandId()
                        + "): " + TopicTail.describe(result));
            }
            return result.getOutcome() == Outcome.ACCEPTED || result.getOutcome() == Outcome.NO_CHANGE
                    ? ExitStatus.OK : ExitStatus.NOT_ACCEPTED;
        }
    }


    private int timedOut(PrintWriter out, PrintWriter err, SendOptions options) {
        if (client.json) {
            out.println(JsonLines.object().put("error", "TIMEOUT").put("commandId", options.commandId())
                    .put("type", typeName).put("id", id));
        }
        err.println("foldstream send: no result for command " + options.commandId() + " to " + typeName + " '" + id + "' within "
                + DurationConverter.format(timeout) + "; it may still be applied. Sending it again with the same command id is"
                + " safe (it is never applied twice) and answers its result:");
        err.println("  " + retryCommand(options.commandId()));
        return ExitStatus.TIMEOUT;
    }

    /** This command line again, with its command id. */
    private String retryCommand(String sentId) {
        List<String> words = new ArrayList<>(List.of("foldstream", "send", typeName, id, commandName, json, "--command-id", sentId));
        if (expectedVersion != -1) {
            words.addAll(List.of("--expected-version", Long.toString(expectedVersion)));
        }
        if (correlationId != null) {
            words.addAll(List.of("--correlation-id", correlationId));
        }
        if (client.bootstrapServers != null) {
            words.addAll(List.of("--bootstrap-servers", client.bootstrapServers));
        }
        if (client.schemaRegistryUrl != null) {
            words.addAll(List.of("--schema-registry-url", client.schemaRegistryUrl));
        }
        for (String property : client.properties) {
            words.addAll(List.of("--property", property));
        }
        return String.join(" ", words.stream().map(SendCommand::shellQuote).toList());
    }

    /** Quoted for a POSIX shell when it needs to be. */
    static String shellQuote(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
