package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.examples.ExampleTypes;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

    private final Map<WorkerSetting, String> text = new EnumMap<>(WorkerSetting.class);

    private WorkerSettings parse(String... properties) {
        return WorkerSettings.parse(text::get, List.of(properties));
    }

    @Test
    void onlyBootstrapServersGivenLeavesEveryOtherSettingAtItsDocumentedDefault() {
        text.put(WorkerSetting.BOOTSTRAP_SERVERS, "127.0.0.1:9092");

        WorkerSettings settings = parse();

        assertThat(settings).isEqualTo(new WorkerSettings("127.0.0.1:9092", Optional.empty(), "foldstream",
                Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams"), 1, List.of(), 6, 8080, -1, Map.of()));
        assertThat(settings).isEqualTo(WorkerSettings.of("127.0.0.1:9092"));
    }

    @Test
    void everySettingIsReadFromItsText() {
        text.put(WorkerSetting.BOOTSTRAP_SERVERS, " broker-1:9092, broker-2:9093 ");
        text.put(WorkerSetting.SCHEMA_REGISTRY_URL, "http://registry:8081");
        text.put(WorkerSetting.APPLICATION_ID, "bank");
        text.put(WorkerSetting.STATE_DIR, "/var/lib/foldstream");
        text.put(WorkerSetting.THREADS, "4");
        text.put(WorkerSetting.TYPES, "ex_users, ex_accounts");
        text.put(WorkerSetting.PARTITIONS, "12");
        text.put(WorkerSetting.HTTP_PORT, "0");
        text.put(WorkerSetting.REPLICATION_FACTOR, "3");

        WorkerSettings settings = parse("commit.interval.ms=50", "producer.linger.ms=5");

        assertThat(settings).isEqualTo(new WorkerSettings("broker-1:9092,broker-2:9093", Optional.of("http://registry:8081"),
                "bank", Path.of("/var/lib/foldstream"), 4, List.of("ex_users", "ex_accounts"), 12, 0, 3,
                Map.of("commit.interval.ms", "50", "producer.linger.ms", "5")));
    }

    @Test
    void missingBootstrapServersIsRefusedNamingFlagAndVariable() {
        assertThatThrownBy(this::parse)
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("--bootstrap-servers (FOLDSTREAM_BOOTSTRAP_SERVERS)")
                .hasMessageContaining("missing");
        text.put(WorkerSetting.BOOTSTRAP_SERVERS, " , ");
        assertThatThrownBy(this::parse).hasMessageContaining("--bootstrap-servers").hasMessageContaining("missing");
    }

    @Test
    void bootstrapServerWithoutAValidPortIsRefused() {
        for (String bad : List.of("localhost", "localhost:", ":9092", "localhost:99999", "localhost:ninety")) {
            text.put(WorkerSetting.BOOTSTRAP_SERVERS, "127.0.0.1:9092," + bad);
            assertThatThrownBy(this::parse)
                    .as(bad)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("--bootstrap-servers")
                    .hasMessageContaining("'" + bad.trim() + "' is not host:port");
        }
    }

    @Test
    void badNumbersAreRefusedNamingTheSetting() {
        text.put(WorkerSetting.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        Map<WorkerSetting, String> bad = Map.of(
                WorkerSetting.THREADS, "two",
                WorkerSetting.PARTITIONS, "6.5",
                WorkerSetting.HTTP_PORT, "http",
                WorkerSetting.REPLICATION_FACTOR, "3x");
        bad.forEach((setting, value) -> {
            Map<WorkerSetting, String> one = new EnumMap<>(text);
            one.put(setting, value);
            assertThatThrownBy(() -> WorkerSettings.parse(one::get, List.of()))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessage(setting.describe() + ": '" + value + "' is not a whole number")
                    .extracting(e -> ((InvalidSettingException) e).setting()).isEqualTo(setting);
        });
    }

    @Test
    void outOfRangeNumbersAreRefusedSayingTheRange() {
        WorkerSettings ok = WorkerSettings.of("127.0.0.1:9092");
        assertThatThrownBy(() -> new WorkerSettings(ok.bootstrapServers(), Optional.empty(), "a", ok.stateDir(), 0, List.of(), 6, 80, -1, Map.of()))
                .hasMessage("--threads (FOLDSTREAM_THREADS): must be 1 or more, was 0");
        assertThatThrownBy(() -> ok.withPartitions(0))
                .hasMessage("--partitions (FOLDSTREAM_PARTITIONS): must be 1 or more, was 0");
        assertThatThrownBy(() -> new WorkerSettings(ok.bootstrapServers(), Optional.empty(), "a", ok.stateDir(), 1, List.of(), 6, 70000, -1, Map.of()))
                .hasMessage("--http-port (FOLDSTREAM_HTTP_PORT): must be a port from 0 to 65535, was 70000");
        assertThatThrownBy(() -> new WorkerSettings(ok.bootstrapServers(), Optional.empty(), "a", ok.stateDir(), 1, List.of(), 6, 80, 0, Map.of()))
                .hasMessageStartingWith("--replication-factor (FOLDSTREAM_REPLICATION_FACTOR): must be 1 or more");
    }

    @Test
    void applicationIdAndRegistryUrlMustBeUsable() {
        WorkerSettings ok = WorkerSettings.of("127.0.0.1:9092");
        assertThatThrownBy(() -> ok.withApplicationId("my app"))
                .hasMessageStartingWith("--application-id (FOLDSTREAM_APPLICATION_ID): 'my app' must be");
        assertThatThrownBy(() -> ok.withSchemaRegistryUrl("registry:8081"))
                .hasMessageStartingWith("--schema-registry-url (FOLDSTREAM_SCHEMA_REGISTRY_URL): 'registry:8081' is not an http");
        assertThat(ok.withSchemaRegistryUrl("https://registry.example.com/api").schemaRegistryUrl())
                .contains("https://registry.example.com/api");
    }

    @Test
    void propertiesMustBeKeyValueGivenOnceAndNotShadowAnotherSetting() {
        text.put(WorkerSetting.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        assertThatThrownBy(() -> parse("commit.interval.ms"))
                .hasMessage("--property: 'commit.interval.ms' is not KEY=VALUE");
        assertThatThrownBy(() -> parse("a=1", "a=2"))
                .hasMessage("--property: a is given twice");
        assertThatThrownBy(() -> parse("application.id=other"))
                .hasMessage("--property: application.id has a setting of its own: use --application-id (FOLDSTREAM_APPLICATION_ID)");
        assertThatThrownBy(() -> parse("num.stream.threads=3"))
                .hasMessageContaining("use --threads");
        assertThat(parse("security.protocol=SSL", "sasl.jaas.config=a=b").properties())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("sasl.jaas.config", "a=b");
    }

    @Test
    void typesSelectAllByDefaultOrThoseNamedInOrder() {
        List<AggregateType<?>> registered = ExampleTypes.all();
        WorkerSettings all = WorkerSettings.of("127.0.0.1:9092");

        assertThat(all.select(registered)).extracting(AggregateType::name)
                .containsExactly("ex_users", "ex_accounts", "ex_counters", "ex_transfers");
        assertThat(all.withTypes(List.of("ex_counters", "ex_users")).select(registered)).extracting(AggregateType::name)
                .containsExactly("ex_counters", "ex_users");
    }

    @Test
    void unknownTypeNamesAreRefusedListingTheKnownOnes() {
        WorkerSettings settings = WorkerSettings.of("127.0.0.1:9092").withTypes(List.of("ex_users", "ex_orders", "ex_carts"));

        assertThatThrownBy(() -> settings.select(ExampleTypes.all()))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("--types (FOLDSTREAM_TYPES): unknown aggregate types ex_orders, ex_carts;"
                        + " known: ex_users, ex_accounts, ex_counters, ex_transfers");
        assertThatThrownBy(() -> WorkerSettings.of("127.0.0.1:9092").withTypes(List.of("ex_users", "ex_users")))
                .hasMessage("--types (FOLDSTREAM_TYPES): ex_users is named twice");
    }
}
