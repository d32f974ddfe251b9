package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.examples.Users;
import foldstream.worker.projection.Projection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which projections a worker runs, and bad projection settings named the way the user wrote them. */
class ProjectionSettingsTest {

    private static ProjectionSettings parse(Map<WorkerSetting, String> given) {
        return ProjectionSettings.parse(given::get);
    }

    @Test
    void byDefaultEveryProjectionOfTheTypesRun() {
        ProjectionSettings defaults = parse(Map.of());
        assertThat(defaults).isEqualTo(ProjectionSettings.DEFAULTS);
        assertThat(defaults.select(ExampleProjections.all(), ExampleTypes.all())).extracting(Projection::name)
                .containsExactly("user-directory", "account-summaries", "account-balances");
        assertThat(defaults.select(ExampleProjections.all(), List.of(Users.type()))).extracting(Projection::name)
                .containsExactly("user-directory");
        assertThat(parse(Map.of(WorkerSetting.PROJECTIONS, "none")).select(ExampleProjections.all(), ExampleTypes.all())).isEmpty();
        assertThat(parse(Map.of(WorkerSetting.PROJECTIONS, "account-balances")).select(ExampleProjections.all(), List.of(Accounts.type())))
                .extracting(Projection::name).containsExactly("account-balances");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> parse(Map.of(WorkerSetting.PROJECTION_JDBC_URL, "postgresql://db?password=secret")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("--projection-jdbc-url (FOLDSTREAM_PROJECTION_JDBC_URL)")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse(Map.of(WorkerSetting.PROJECTION_POSITIONS_TABLE, "positions; DROP TABLE x")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("--projection-positions-table (FOLDSTREAM_PROJECTION_POSITIONS_TABLE)");
        assertThatThrownBy(() -> parse(Map.of(WorkerSetting.PROJECTIONS, "nope")).select(ExampleProjections.all(), ExampleTypes.all()))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("unknown projection nope; known: user-directory, account-summaries, account-balances");
        assertThat(parse(Map.of(WorkerSetting.PROJECTION_JDBC_URL, "jdbc:postgresql://db/app")).jdbcUrl())
                .isEqualTo(Optional.of("jdbc:postgresql://db/app"));
    }
}
