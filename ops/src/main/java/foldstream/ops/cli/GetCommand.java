package foldstream.ops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.gateway.AggregateReadException;
import foldstream.worker.gateway.AggregateStates;
import foldstream.worker.gateway.AggregateView;
import foldstream.worker.http.PlainJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream get TYPE ID}: an aggregate's state, version and meta, from a worker's HTTP API
 * (any instance: it asks the owner), read with {@link AggregateStates}.
 *
 * <pre>{@code
 * foldstream get ex_accounts a1
 * foldstream get ex_accounts a1 --min-version 3 --wait-ms 5000 --json --worker-url http://10.0.0.7:8080
 * }</pre>
 */
@Command(name = "get", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Prints an aggregate's state (in Avro's JSON encoding), version and meta, asking a worker's HTTP API;"
                    + " any instance answers, asking the owner. Version 0 means the aggregate does not exist (yet)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:printed",
            "1:the worker unreachable, not ready, or not serving the type (the message names the address)",
            "2:bad usage: unknown type, a bad option",
            "4:the version asked for did not come within --wait-ms"})
final class GetCommand implements Callable<Integer> {

    static final String DEFAULT_WORKER_URL = "http://127.0.0.1:8080";

    @Parameters(index = "0", paramLabel = "TYPE", description = "The aggregate type, e.g. ex_accounts")
    String typeName;

    @Parameters(index = "1", paramLabel = "ID", description = "The aggregate id")
    String id;

    @Option(names = "--min-version", paramLabel = "N", defaultValue = "0",
            description = "Wait for this version at least (read-your-writes; default: whatever version there is)")
    long minVersion;

    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "0",
            description = "How long to wait for --min-version (default: ${DEFAULT-VALUE}: answer at once)")
    long waitMs;

    @Option(names = "--worker-url", paramLabel = "URL",
            description = "A worker's HTTP API (default: " + DEFAULT_WORKER_URL + "). Env: FOLDSTREAM_WORKER_URL")
    String workerUrl;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A bearer token for a worker that needs credentials, first line of FILE. Env: FOLDSTREAM_WORKER_TOKEN_FILE."
                    + " For https:// the JVM's trust store applies (-Djavax.net.ssl.trustStore=...)")
    String tokenFile;

    @Option(names = "--json", description = "Print one JSON object, for scripts")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final List<AggregateType<?>> known;

    GetCommand(Map<String, String> env, List<? extends AggregateType<?>> known) {
        this.env = Map.copyOf(env);
        this.known = List.copyOf(known);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            print(out, read());
            return ExitStatus.OK;
        } catch (CliFailure e) {
            err.println("foldstream get: " + e.getMessage());
            return e.status();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private AggregateView read() throws InterruptedException {
        AggregateType<?> type = ClientOptions.type(known, typeName);
        if (minVersion < 0 || waitMs < 0) {
            throw new CliFailure(ExitStatus.USAGE, "--min-version and --wait-ms must not be negative");
        }
        String url = workerUrl != null ? workerUrl : env.getOrDefault("FOLDSTREAM_WORKER_URL", DEFAULT_WORKER_URL);
        AggregateStates states;
        try {
            states = new AggregateStates(URI.create(url), List.of(type),
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), token());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(ExitStatus.USAGE, "--worker-url: " + e.getMessage());
        }
        try {
            // The client's own request timeout bounds this; the extra bound only guards against a hang.
            return states.at(type.name(), id, minVersion, Duration.ofMillis(waitMs)).get(waitMs + 30_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AggregateReadException failed) {
                throw new CliFailure(failed.versionNotReached() ? ExitStatus.TIMEOUT : ExitStatus.FAILED,
                        failed.status() == 0 ? failed.getMessage() : "the worker at " + states.worker() + " answered "
                                + failed.status() + " " + failed.error() + ": " + failed.getMessage());
            }
            throw new CliFailure(ExitStatus.FAILED, "reading from the worker at " + states.worker() + " failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new CliFailure(ExitStatus.FAILED, "the worker at " + states.worker() + " did not answer");
        }
    }

    private Optional<String> token() {
        String file = tokenFile != null ? tokenFile : env.get("FOLDSTREAM_WORKER_TOKEN_FILE");
        if (file == null || file.isBlank()) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                throw new CliFailure(ExitStatus.USAGE, "--token-file: " + file + " is empty");
            }
            return Optional.of(lines.get(0).strip());
        } catch (IOException | InvalidPathException e) {
            throw new CliFailure(ExitStatus.USAGE, "--token-file: cannot read " + file);
        }
    }

    private void print(PrintWriter out, AggregateView view) {
        if (json) {
            ObjectNode line = JsonLines.object().put("type", view.type()).put("id", view.id()).put("version", view.version());
            line.set("state", PlainJson.write(view.state()));
            if (view.meta() == null) {
                line.putNull("meta");
            } else {
                line.putObject("meta").put("createdAt", view.meta().getCreatedAt().toString())
                        .put("updatedAt", view.meta().getUpdatedAt().toString())
                        .put("lastCommandId", view.meta().getLastCommandId());
            }
            out.println(line);
            return;
        }
        out.println(view.type() + " '" + view.id() + "' version " + view.version() + (view.version() == 0 ? " (does not exist yet)" : ""));
        out.println("  state  " + PlainJson.writeString(view.state()));
        if (view.meta() != null) {
            out.println("  meta   created " + view.meta().getCreatedAt() + ", updated " + view.meta().getUpdatedAt()
                    + ", last command " + view.meta().getLastCommandId());
        }
    }
}
