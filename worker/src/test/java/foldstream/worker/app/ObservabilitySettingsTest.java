package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.observe.HealthSettings;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ObservabilitySettingsTest {

    private final StringWriter err = new StringWriter();

    private static WorkerMain main(Map<String, String> env) {
        return new WorkerMain(env, url -> new InMemorySchemaRegistry(), ExampleTypes.all());
    }

    @Test
    void defaultsAreSixtySeconds() {
        WorkerMain main = main(Map.of());
        new CommandLine(main).parseArgs("--bootstrap-servers", "127.0.0.1:9092");

        assertThat(main.observabilitySettings()).isEqualTo(ObservabilitySettings.DEFAULTS);
        assertThat(ObservabilitySettings.DEFAULTS.health()).isEqualTo(new HealthSettings(Duration.ofSeconds(60), Duration.ofSeconds(60)));
    }

    @Test
    void flagsAndEnvironmentVariablesInTheirUnitsAndFlagsWin() {
        WorkerMain main = main(Map.of("FOLDSTREAM_STALL_TIMEOUT", "2m", "FOLDSTREAM_UNREACHABLE_TIMEOUT", "45"));
        new CommandLine(main).parseArgs("--bootstrap-servers", "127.0.0.1:9092", "--stall-timeout", "1500ms");

        ObservabilitySettings settings = main.observabilitySettings();
        assertThat(settings.health().stallTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.health().unreachableTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void badValuesExitWithStatus2NamingTheSetting() {
        assertThat(run(Map.of(), "--stall-timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--stall-timeout (FOLDSTREAM_STALL_TIMEOUT): 'soon' is not a duration");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of("FOLDSTREAM_UNREACHABLE_TIMEOUT", "0s"))).isEqualTo(2);
        assertThat(err.toString()).contains("--unreachable-timeout (FOLDSTREAM_UNREACHABLE_TIMEOUT): must be longer than 0");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of("FOLDSTREAM_LOG_FORMAT", "xml"))).isEqualTo(2);
        assertThat(err.toString()).contains("--log-format (FOLDSTREAM_LOG_FORMAT): must be text or json, not 'xml'");
    }

    @Test
    void logFormatIsTextByDefaultAndJsonByFlagOrVariableTheFlagWinning() {
        WorkerMain byDefault = main(Map.of());
        new CommandLine(byDefault).parseArgs("--bootstrap-servers", "127.0.0.1:9092");
        assertThat(byDefault.observabilitySettings().logFormat()).isEqualTo(LogFormat.TEXT);

        WorkerMain byVariable = main(Map.of("FOLDSTREAM_LOG_FORMAT", "JSON"));
        new CommandLine(byVariable).parseArgs("--bootstrap-servers", "127.0.0.1:9092");
        assertThat(byVariable.observabilitySettings().logFormat()).isEqualTo(LogFormat.JSON);

        WorkerMain byFlag = main(Map.of("FOLDSTREAM_LOG_FORMAT", "json"));
        new CommandLine(byFlag).parseArgs("--bootstrap-servers", "127.0.0.1:9092", "--log-format", "text");
        assertThat(byFlag.observabilitySettings().logFormat()).isEqualTo(LogFormat.TEXT);
    }

    private int run(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--bootstrap-servers";
        all[1] = "127.0.0.1:9092";
        all[2] = "--schema-registry-url";
        all[3] = "http://127.0.0.1:8081";
        System.arraycopy(args, 0, all, 4, args.length);
        return new CommandLine(main(env)).setErr(new PrintWriter(err, true)).execute(all);
    }
}
