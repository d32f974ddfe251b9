package foldstream.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.app.WorkerMain;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Counters;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.examples.TransferProcess;
import foldstream.worker.examples.Transfers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FoldstreamApplicationTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(FoldstreamApplication application, Map<String, String> env, String... args) {
        CommandLine commandLine = application.commandLine(env)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void anApplicationOfOnesOwnTypesTakesEveryFlagOfTheWorker() {
        FoldstreamApplication application = FoldstreamApplication.builder()
                .aggregate(Accounts.type())
                .aggregate(Counters.type())
                .build();

        assertThat(run(application, Map.of(), "--help")).isZero();
        assertThat(out.toString()).contains("--bootstrap-servers", "--schema-registry-url", "--types", "--property");
        assertThat(application.aggregates()).extracting(type -> type.name()).containsExactly("ex_accounts", "ex_counters");
    }

    @Test
    void typesSelectAmongTheApplicationsOwnAndBadSettingsExitWith2() {
        FoldstreamApplication application = FoldstreamApplication.builder().aggregate(Accounts.type()).build();

        int status = run(application, Map.of("FOLDSTREAM_SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081"),
                "--bootstrap-servers", "127.0.0.1:9092", "--types", "ex_users");

        assertThat(status).isEqualTo(WorkerMain.EXIT_BAD_SETTINGS);
        assertThat(err.toString()).contains("--types", "ex_users", "ex_accounts");
    }

    @Test
    void anApplicationNeedsATypeAndEachTypeOnce() {
        assertThatThrownBy(() -> FoldstreamApplication.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one aggregate type");
        assertThatThrownBy(() -> FoldstreamApplication.builder().aggregate(Accounts.type()).aggregate(Accounts.type()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ex_accounts is added twice");
    }

    @Test
    void anApplicationRunsItsProjectionsAndSelectsThemByName() {
        FoldstreamApplication application = FoldstreamApplication.builder().aggregate(Accounts.type())
                .projection(ExampleProjections.accountSummaries()).build();
        assertThat(application.projections()).extracting(p -> p.name()).containsExactly("account-summaries");
        assertThatThrownBy(() -> FoldstreamApplication.builder().projection(ExampleProjections.accountSummaries())
                .projection(ExampleProjections.accountSummaries()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("account-summaries is added twice");

        int status = run(application, Map.of("FOLDSTREAM_SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081"),
                "--bootstrap-servers", "127.0.0.1:9092", "--projections", "user-directory");
        assertThat(status).isEqualTo(WorkerMain.EXIT_BAD_SETTINGS);
        assertThat(err.toString()).contains("--projections", "unknown projection user-directory; known: account-summaries");
    }

    @Test
    void anApplicationWithoutAggregateTypesRunsNoneByDefaultAndNeedsAProcessOrProjection() {
        assertThatThrownBy(() -> FoldstreamApplication.builder().aggregate(Accounts.type()).withoutAggregateTypes().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("add one with process(...) or projection(...)");
        FoldstreamApplication application = FoldstreamApplication.builder().aggregate(Accounts.type()).aggregate(Transfers.type())
                .process(TransferProcess.type()).withoutAggregateTypes().build();

        // --types none by default: with the process and projections switched off too, nothing is left to run.
        int status = run(application, Map.of("FOLDSTREAM_SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081"),
                "--bootstrap-servers", "127.0.0.1:9092", "--processes", "none", "--projections", "none");
        assertThat(status).isEqualTo(WorkerMain.EXIT_BAD_SETTINGS);
        assertThat(err.toString()).contains("--types (FOLDSTREAM_TYPES): the worker runs no aggregate types, process managers or projections");
    }
}
