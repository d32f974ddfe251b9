package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.ops.stack.KafkaBroker;
import foldstream.ops.stack.SharedKafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The command-line tool in-process. Against the shared broker it uses the ex_accounts and
 * ex_users topics only (other test classes there use ex_counters or topics of their own).
 */
@ExtendWith(SharedKafkaBroker.class)
class FoldstreamCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine cli = FoldstreamCli.commandLine(env, RegistryWiring.current());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private int run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out.toString()).contains("Usage: foldstream").contains("worker").contains("topics").contains("stack").contains("demo");
        assertThat(run("worker", "--help")).isEqualTo(0);
        assertThat(out.toString()).contains("--bootstrap-servers").contains("FOLDSTREAM_BOOTSTRAP_SERVERS").contains("--property");
    }

    @Test
    void projectionResetIsBlueGreenUnlessAskedInPlaceAndRefusesJdbcProjectionsBlueGreen() {
        assertThat(run("projection", "reset")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'NAME'").contains("blue/green").contains("--in-place").contains("--yes");
        assertThat(run("projection", "reset", "account-balances", "--jdbc-url", "jdbc:postgresql://db/app")).isEqualTo(2);
        assertThat(err.toString()).contains("JDBC projection is not rebuilt blue/green").contains("--in-place");
        assertThat(run("projections", "--help")).isEqualTo(0);
        assertThat(out.toString()).contains("position, lag and last applied time");
        assertThat(run("projection")).isEqualTo(2);
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: foldstream");
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("deploy");
        assertThat(run("topics")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required subcommand");
    }

    @Test
    void topicsNeedsBootstrapServersAndKnownTypes() {
        assertThat(run("topics", "describe")).isEqualTo(2);
        assertThat(err.toString()).contains("--bootstrap-servers (FOLDSTREAM_BOOTSTRAP_SERVERS): missing");
        assertThat(run("topics", "create", "--bootstrap-servers", "127.0.0.1:9092", "--types", "ex_orders")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown aggregate type ex_orders; known: ex_users, ex_accounts, ex_counters");
        assertThat(run("topics", "create", "--bootstrap-servers", "127.0.0.1:9092", "--partitions", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions (FOLDSTREAM_PARTITIONS): 'lots' is not a whole number");
    }

    @Test
    void topicsCreateMakesTheTopicsAndDescribeShowsTheirSettings(KafkaBroker broker) {
        int created = run(Map.of("FOLDSTREAM_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                "topics", "create", "--types", "ex_accounts", "--partitions", "2");

        assertThat(created).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).containsPattern("ex_accounts-events +2 +1 +delete +-1 +-1 +created")
                .containsPattern("ex_accounts-commands +2 +1 +delete +\\d+ +-1 +created");

        out.getBuffer().setLength(0);
        assertThat(run("topics", "describe", "--bootstrap-servers", broker.bootstrapServers(), "--types", "ex_accounts")).isEqualTo(0);
        assertThat(out.toString()).containsPattern("ex_accounts-events +2 +1 +delete +-1 +-1 +ok")
                .doesNotContain("created");
    }

    @Test
    void topicsCreateRefusesACompactedEventTopicAndDescribeSaysWhy(KafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("ex_users-events", 6, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("ex_users-events")
                            && admin.describeTopics(List.of("ex_users-events")).allTopicNames().get(10, TimeUnit.SECONDS).size() == 1);
        }

        int status = run("topics", "create", "--bootstrap-servers", broker.bootstrapServers(), "--types", "ex_users");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("topic ex_users-events: cleanup.policy is compact: compaction keeps only the latest event");
        assertThat(run("topics", "describe", "--bootstrap-servers", broker.bootstrapServers(), "--types", "ex_users")).isEqualTo(0);
        assertThat(out.toString()).containsPattern("ex_users-events +6 +1 +compact .* REFUSED")
                .containsPattern("ex_users-commands +- +- .* missing")
                .contains("Problems (the worker refuses to run on these topics):");
    }

    @Test
    void topicsAgainstABrokerThatIsDownFailsNamingTheAddress() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        int status = run("topics", "describe", "--bootstrap-servers", "127.0.0.1:" + closed, "--timeout", "1");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("no Kafka broker answered at 127.0.0.1:" + closed + " (bootstrap-servers) within 1000 ms");
    }
}
