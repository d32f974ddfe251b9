package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class WorkerMainTest {

    private final StringWriter err = new StringWriter();

    private static WorkerMain main(Map<String, String> env) {
        return new WorkerMain(env, url -> new InMemorySchemaRegistry(), ExampleTypes.all());
    }

    private int run(WorkerMain main, String... args) {
        return new CommandLine(main).setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void environmentVariablesSetWhatTheFlagsDoNotAndFlagsWin() {
        Map<String, String> env = Map.of(
                "FOLDSTREAM_BOOTSTRAP_SERVERS", "env-broker:9092",
                "FOLDSTREAM_SCHEMA_REGISTRY_URL", "http://env-registry:8081",
                "FOLDSTREAM_APPLICATION_ID", "from-env",
                "FOLDSTREAM_STATE_DIR", "/env/state",
                "FOLDSTREAM_THREADS", "3",
                "FOLDSTREAM_TYPES", "ex_users",
                "FOLDSTREAM_PARTITIONS", "9",
                "FOLDSTREAM_HTTP_PORT", "9000",
                "FOLDSTREAM_REPLICATION_FACTOR", "2");
        WorkerMain main = main(env);
        new CommandLine(main).parseArgs("--bootstrap-servers", "flag-broker:9092", "--threads", "5",
                "--types", "ex_accounts,ex_counters", "--property", "commit.interval.ms=50");

        assertThat(main.settings()).isEqualTo(new WorkerSettings("flag-broker:9092", Optional.of("http://env-registry:8081"),
                "from-env", Path.of("/env/state"), 5, List.of("ex_accounts", "ex_counters"), 9, 9000, 2,
                Map.of("commit.interval.ms", "50")));
    }

    @Test
    void withNeitherFlagNorVariableTheDefaultsApply() {
        WorkerMain main = main(Map.of());
        new CommandLine(main).parseArgs("--bootstrap-servers", "127.0.0.1:9092");

        assertThat(main.settings()).isEqualTo(WorkerSettings.of("127.0.0.1:9092"));
    }

    @Test
    void badSettingsExitWithStatus2AndAMessageNamingTheSetting() {
        assertThat(run(main(Map.of()), "--schema-registry-url", "http://127.0.0.1:8081")).isEqualTo(2);
        assertThat(err.toString()).contains("--bootstrap-servers (FOLDSTREAM_BOOTSTRAP_SERVERS): missing");

        err.getBuffer().setLength(0);
        assertThat(run(main(Map.of("FOLDSTREAM_THREADS", "many")), "--bootstrap-servers", "127.0.0.1:9092",
                "--schema-registry-url", "http://127.0.0.1:8081")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads (FOLDSTREAM_THREADS): 'many' is not a whole number");

        err.getBuffer().setLength(0);
        assertThat(run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092")).isEqualTo(2);
        assertThat(err.toString()).contains("--schema-registry-url (FOLDSTREAM_SCHEMA_REGISTRY_URL): missing");

        err.getBuffer().setLength(0);
        assertThat(run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--types", "ex_orders")).isEqualTo(2);
        assertThat(err.toString()).contains("--types (FOLDSTREAM_TYPES): unknown aggregate type ex_orders; known: ex_users, ex_accounts, ex_counters");

        err.getBuffer().setLength(0);
        WorkerMain withProjections = new WorkerMain(Map.of("FOLDSTREAM_PROJECTION_JDBC_URL", "postgres://db"),
                url -> new InMemorySchemaRegistry(), ExampleTypes.all(), ExampleProjections.all(), List.of());
        assertThat(run(withProjections, "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081")).isEqualTo(2);
        assertThat(err.toString()).contains("--projection-jdbc-url (FOLDSTREAM_PROJECTION_JDBC_URL): 'postgres://db' is not a JDBC URL");
    }

    @Test
    void aKafkaPropertyThatKafkaStreamsRejectsIsABadSetting(@TempDir Path state) {
        int status = run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--state-dir", state.toString(), "--property", "commit.interval.ms=soon");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--property").contains("commit.interval.ms");
    }

    @Test
    void processingGuaranteeCannotBeOverriddenWithAProperty(@TempDir Path state) {
        int status = run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--state-dir", state.toString(), "--property", "processing.guarantee=at_least_once");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--property: processing.guarantee cannot be changed").contains("exactly_once_v2");
    }

    @Test
    void aCommandLimitThatIsNotAPositiveNumberIsABadSetting(@TempDir Path state) {
        assertThat(run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--state-dir", state.toString(), "--property", "foldstream.limits.value-bytes=0")).isEqualTo(2);
        assertThat(err.toString()).contains("--property: foldstream.limits.value-bytes must be 1 or more, was 0");
        assertThat(run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--state-dir", state.toString(), "--property", "foldstream.limits.key-bytes=10")).isEqualTo(2);
        assertThat(err.toString()).contains("foldstream.limits.key-bytes is not a limit; known: aggregate-id-bytes");
    }

    @Test
    void anApiTimeoutBelowTheRequestTimeoutIsABadSettingNotABrokerProblem(@TempDir Path state) {
        int status = run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--state-dir", state.toString(), "--property", "default.api.timeout.ms=1500");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--property: default.api.timeout.ms=1500 is below request.timeout.ms=30000");
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithStatus2() {
        assertThat(run(main(Map.of()), "--bootstrap-server", "127.0.0.1:9092")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("'--bootstrap-server'");
    }

    @Test
    void aBrokerThatIsDownEndsTheWorkerAfterTheBrokerWaitWithStatus3NamingTheAddress(@TempDir Path state) throws IOException {
        String address = "127.0.0.1:" + closedPort();

        int status = run(main(Map.of("FOLDSTREAM_BROKER_WAIT", "PT2S")), "--bootstrap-servers", address,
                "--schema-registry-url", "http://127.0.0.1:8081", "--state-dir", state.toString());

        assertThat(status).isEqualTo(WorkerMain.EXIT_BROKER_UNREACHABLE).isEqualTo(3);
        assertThat(err.toString()).contains("no Kafka broker answered at " + address + " (bootstrap-servers) within PT2S "
                + "(--broker-wait (FOLDSTREAM_BROKER_WAIT))");
    }

    @Test
    void aBrokerWaitThatIsNeitherADurationNorForeverIsABadSetting() {
        assertThat(run(main(Map.of()), "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://r:8081",
                "--broker-wait", "30 seconds")).isEqualTo(2);
        assertThat(err.toString()).contains("--broker-wait (FOLDSTREAM_BROKER_WAIT): '30 seconds' is neither 'forever' nor");

        err.getBuffer().setLength(0);
        assertThat(run(main(Map.of("FOLDSTREAM_BROKER_WAIT", "PT0S")), "--bootstrap-servers", "127.0.0.1:9092",
                "--schema-registry-url", "http://r:8081")).isEqualTo(2);
        assertThat(err.toString()).contains("--broker-wait (FOLDSTREAM_BROKER_WAIT): 'PT0S'");
    }

    @Test
    void theBrokerWaitIsADurationOrForeverAndThirtySecondsByDefault() {
        assertThat(BrokerWait.parse(null)).isEqualTo(BrokerWait.DEFAULT);
        assertThat(BrokerWait.DEFAULT.limit()).contains(java.time.Duration.ofSeconds(30));
        assertThat(BrokerWait.parse("forever").limit()).isEmpty();
        assertThat(BrokerWait.parse("FOREVER").limit()).isEmpty();
        assertThat(BrokerWait.parse("PT5M").limit()).contains(java.time.Duration.ofMinutes(5));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aBadRegistryClientPropertyIsABadSettingNamingItAndNeverItsSecret(@TempDir Path state) {
        WorkerMain main = new WorkerMain(Map.of(), RegistryClientFactory.http(), ExampleTypes.all());

        int status = run(main, "--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "https://127.0.0.1:8081",
                "--state-dir", state.toString(), "--property", "basic.auth.user.info=ci:hunter2",
                "--property", "bearer.auth.token=tok-secret");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--property").contains("bearer.auth.token")
                .doesNotContain("hunter2").doesNotContain("tok-secret");
    }
}
