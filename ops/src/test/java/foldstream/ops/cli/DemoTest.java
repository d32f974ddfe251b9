package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.protocol.Outcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** The demo runs its own stack and script and reports every outcome the contract has. */
class DemoTest {

    @Test
    void theScriptGetsEveryOutcomeItExpectsAndPrintsEventsWithTheirHeaders() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = FoldstreamCli.commandLine(Map.of(), RegistryWiring.current());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));

        int status = cli.execute("demo", "--then-exit");

        assertThat(status).as(out + "\n" + err).isEqualTo(0);
        String printed = out.toString();
        assertThat(printed).contains("All 16 commands got the expected outcome.");
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.FAILED) {
                assertThat(printed).as(outcome.name()).containsPattern("result  \\S+ p\\d+@\\d+  " + outcome.name() + " version");
            }
        }
        assertThat(printed)
                .containsPattern("event   ex_users-events .* UserCreated \\{\"email\"")
                .containsPattern("aggregate-version=2 +event-id=\\S+ +event-type=foldstream.examples.users.ProfileSet +aggregate-type=ex_users")
                .containsPattern("dlq     ex_users-dlq .* 16 bytes \"this is not avro\"")
                .contains("[name: must have at least 6 characters]")
                .contains("== Demo stopped");
    }
}
