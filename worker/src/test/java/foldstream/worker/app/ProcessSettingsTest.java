package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.ExampleProcesses;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.examples.Transfers;
import foldstream.worker.process.ProcessType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProcessSettingsTest {

    private final Map<WorkerSetting, String> text = new EnumMap<>(WorkerSetting.class);

    private ProcessSettings parse() {
        return ProcessSettings.parse(text::get);
    }

    @Test
    void byDefaultAProcessRunsWhereAllItsTypesRun() {
        assertThat(parse().select(ExampleProcesses.all(), ExampleTypes.all())).extracting(ProcessType::name).containsExactly("transfer");
        assertThat(parse().select(ExampleProcesses.all(), List.of(Accounts.type()))).isEmpty();
        assertThat(parse().select(ExampleProcesses.all(), List.of(Accounts.type(), Transfers.type()))).hasSize(1);
        assertThat(parse().retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void namedOrNone() {
        text.put(WorkerSetting.PROCESSES, "none");
        assertThat(parse().select(ExampleProcesses.all(), ExampleTypes.all())).isEmpty();
        text.put(WorkerSetting.PROCESSES, " transfer ");
        text.put(WorkerSetting.PROCESS_RETENTION, "PT12H");
        assertThat(parse().select(ExampleProcesses.all(), List.of(Accounts.type()))).extracting(ProcessType::name).containsExactly("transfer");
        assertThat(parse().options().retention()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void badValuesNameTheSetting() {
        text.put(WorkerSetting.PROCESSES, "transfer,payroll");
        assertThatThrownBy(() -> parse().select(ExampleProcesses.all(), ExampleTypes.all()))
                .hasMessage("--processes (FOLDSTREAM_PROCESSES): unknown process payroll; known: transfer");
        text.remove(WorkerSetting.PROCESSES);
        text.put(WorkerSetting.PROCESS_RETENTION, "7 days");
        assertThatThrownBy(this::parse).hasMessageStartingWith("--process-retention (FOLDSTREAM_PROCESS_RETENTION): '7 days'");
    }

    @Test
    void theWorkerExitsWithStatus2OnABadProcessSetting() {
        StringWriter err = new StringWriter();
        WorkerMain main = new WorkerMain(Map.of(), url -> new InMemorySchemaRegistry(), ExampleTypes.all(), List.of(), ExampleProcesses.all());
        int status = new CommandLine(main).setErr(new PrintWriter(err, true)).execute("--bootstrap-servers", "127.0.0.1:9092",
                "--schema-registry-url", "http://127.0.0.1:8081", "--process-retention", "soon");
        assertThat(status).isEqualTo(WorkerMain.EXIT_BAD_SETTINGS);
        assertThat(err.toString()).contains("--process-retention (FOLDSTREAM_PROCESS_RETENTION): 'soon'");
    }

    @Test
    void aWorkerOfNoAggregateTypesRunsEveryProcessByDefault() {
        WorkerSettings none = WorkerSettings.parse(setting -> switch (setting) {
            case BOOTSTRAP_SERVERS -> "127.0.0.1:9092";
            case TYPES -> "none";
            default -> null;
        }, List.of());
        assertThat(none.select(ExampleTypes.all())).isEmpty();
        assertThat(parse().select(ExampleProcesses.all(), none.select(ExampleTypes.all()))).extracting(ProcessType::name)
                .containsExactly("transfer");
    }

    @Test
    void aWorkerOfNoAggregateTypesProcessesOrProjectionsExitsWithStatus2NamingTypes() {
        StringWriter err = new StringWriter();
        WorkerMain main = new WorkerMain(Map.of(), url -> new InMemorySchemaRegistry(), ExampleTypes.all(), List.of(), ExampleProcesses.all());
        int status = new CommandLine(main).setErr(new PrintWriter(err, true)).execute("--bootstrap-servers", "127.0.0.1:9092",
                "--schema-registry-url", "http://127.0.0.1:8081", "--types", "none", "--processes", "none");
        assertThat(status).isEqualTo(WorkerMain.EXIT_BAD_SETTINGS);
        assertThat(err.toString()).contains("--types (FOLDSTREAM_TYPES): the worker runs no aggregate types, process managers or projections");
    }
}
