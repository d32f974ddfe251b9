package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code send}, {@code get} and {@code tail} refuse bad usage before connecting to anything (exit 2,
 * naming what is known), and name the address they cannot reach (exit 1). With the real stack:
 * {@code FacadeCliIT} in topology-tests.
 */
class FacadeCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = FoldstreamCli.commandLine(env, RegistryWiring.current());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private int run(String... args) {
        return run(Map.of(), args);
    }

    /** A port nothing listens on (the OS just released it). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void helpListsTheNewCommandsAndTheirOptions() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("send").contains("get").contains("tail");
        assertThat(run("send", "--help")).isZero();
        assertThat(out.toString()).contains("--command-id").contains("--expected-version").contains("--correlation-id")
                .contains("--timeout").contains("--json").contains("FOLDSTREAM_BOOTSTRAP_SERVERS").contains("FOLDSTREAM_SCHEMA_REGISTRY_URL")
                .contains("no result in time (the message says how to retry)");
        assertThat(run("get", "--help")).isZero();
        assertThat(out.toString()).contains("--min-version").contains("--wait-ms").contains("--worker-url").contains("http://127.0.0.1:8080");
        assertThat(run("tail", "--help")).isZero();
        assertThat(out.toString()).contains("--from-beginning").contains("--max").contains("--timeout");
    }

    @Test
    void unknownTypesAndCommandsAreUsageErrorsNamingTheKnownOnes() {
        assertThat(run("send", "ex_orders", "o1", "PlaceOrder", "{}")).isEqualTo(2);
        assertThat(err.toString()).contains("foldstream send: unknown aggregate type ex_orders; known: ex_users, ex_accounts, ex_counters");
        assertThat(run("send", "ex_accounts", "a1", "Transfer", "{}")).isEqualTo(2);
        assertThat(err.toString()).contains("foldstream send: ex_accounts has no command Transfer; its commands: Deposit, OpenAccount, Withdraw");
        assertThat(run("get", "ex_orders", "o1")).isEqualTo(2);
        assertThat(err.toString()).contains("foldstream get: unknown aggregate type ex_orders; known: ex_users, ex_accounts, ex_counters");
        assertThat(run("tail", "ex_orders", "events")).isEqualTo(2);
        assertThat(err.toString()).contains("foldstream tail: unknown aggregate type ex_orders");
        assertThat(run("tail", "ex_accounts", "snapshots")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for positional parameter at index 1 (events|results): expected one of [events, results]");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void jsonThatDoesNotFitTheSchemaIsAUsageErrorNamingTheField() {
        assertThat(run("send", "ex_accounts", "a1", "Deposit", "{\"amount\": \"ten\"}")).isEqualTo(2);
        assertThat(err.toString()).contains("the JSON does not fit foldstream.examples.accounts.Deposit: amount: expected a whole"
                + " number (long), was \"ten\"");
        assertThat(run("send", "ex_accounts", "a1", "Deposit", "{\"amount\": 1")).isEqualTo(2);
        assertThat(err.toString()).contains("not JSON");
        assertThat(run("send", "ex_counters", "c1", "Increment", "{\"by\": 1}}}}")).isEqualTo(2);
        assertThat(err.toString()).contains("not JSON");
        assertThat(run("send", "ex_users", "u1", "foldstream.examples.users.RegisterUser", "{\"email\": \"a@example.com\"}")).isEqualTo(2);
        assertThat(err.toString()).contains("the JSON does not fit foldstream.examples.users.RegisterUser").contains("name");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(run("send", "ex_accounts", "a1", "Deposit", "{\"amount\": 1}", "--timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration such as 500ms, 10s or 2m");
        assertThat(run("send", "ex_accounts", "a1", "Deposit", "{\"amount\": 1}", "--expected-version", "-2")).isEqualTo(2);
        assertThat(err.toString()).contains("expectedVersion must be -1 (any), 0 or a version, was -2");
        assertThat(run("send", "ex_accounts", "a1", "Deposit")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'JSON'");
        assertThat(run("get", "ex_accounts", "a1", "--min-version", "-1")).isEqualTo(2);
        assertThat(run("get", "ex_accounts", "a1", "--worker-url", "ftp://somewhere")).isEqualTo(2);
        assertThat(err.toString()).contains("--worker-url: the worker URL must be http://HOST:PORT");
        assertThat(run("tail", "ex_accounts", "events", "--max", "-1")).isEqualTo(2);
    }

    @Test
    void anUnreachableKafkaOrWorkerIsNamed() throws IOException {
        String kafka = "127.0.0.1:" + closedPort();
        assertThat(run("send", "ex_accounts", "a1", "Deposit", "{\"amount\": 1}", "--bootstrap-servers", kafka,
                "--connect-timeout", "1s")).isEqualTo(1);
        assertThat(err.toString()).contains("foldstream send: no Kafka broker answered at " + kafka + " (bootstrap-servers)");

        assertThat(run(Map.of("FOLDSTREAM_BOOTSTRAP_SERVERS", kafka), "tail", "ex_accounts", "results", "--connect-timeout", "1s"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("foldstream tail: no Kafka broker answered at " + kafka + " (bootstrap-servers)");

        String worker = "http://127.0.0.1:" + closedPort();
        assertThat(run("get", "ex_accounts", "a1", "--worker-url", worker)).isEqualTo(1);
        assertThat(err.toString()).contains("foldstream get: the worker at " + worker + " did not answer GET /aggregates/ex_accounts/a1")
                .contains("ConnectException");
        assertThat(run(Map.of("FOLDSTREAM_WORKER_URL", worker), "get", "ex_accounts", "a1", "--json")).isEqualTo(1);
        assertThat(err.toString()).contains("the worker at " + worker);
        assertThat(out.toString()).isEmpty();
    }
}
