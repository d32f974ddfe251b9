package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.runtime.JdbcPositions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which projections a worker runs and where JDBC projections write.
 *
 * <pre>{@code
 * ProjectionSettings.DEFAULTS.withJdbcUrl("jdbc:postgresql://127.0.0.1:5432/app?user=app&password=secret")
 * }</pre>
 *
 * @param names the projections to run; empty (the default) runs every registered projection whose
 *     aggregate types the worker runs; {@code none} runs none
 * @param jdbcUrl where JDBC projections write and keep their positions; without it they do not run
 * @param positionsTable the table of positions ({@value JdbcPositions#DEFAULT_TABLE}; the
 *     per-aggregate versions go to the same name with {@code _aggregates})
 */
public record ProjectionSettings(Optional<List<String>> names, Optional<String> jdbcUrl, String positionsTable) {

    public static final ProjectionSettings DEFAULTS = new ProjectionSettings(Optional.empty(), Optional.empty(), JdbcPositions.DEFAULT_TABLE);

    public ProjectionSettings {
        names = names.map(List::copyOf);
        jdbcUrl.ifPresent(url -> {
            if (!url.startsWith("jdbc:")) {
                throw new InvalidSettingException(WorkerSetting.PROJECTION_JDBC_URL, "'" + url.replaceAll("\\?.*", "?...")
                        + "' is not a JDBC URL (jdbc:...)");
            }
        });
        try {
            new JdbcPositions(positionsTable);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.PROJECTION_POSITIONS_TABLE, e.getMessage());
        }
    }

    /** From flags and environment variables as text; absent ({@code null}) values take their defaults. */
    public static ProjectionSettings parse(Function<WorkerSetting, String> text) {
        String names = blankToNull(text.apply(WorkerSetting.PROJECTIONS));
        String url = blankToNull(text.apply(WorkerSetting.PROJECTION_JDBC_URL));
        String table = blankToNull(text.apply(WorkerSetting.PROJECTION_POSITIONS_TABLE));
        return new ProjectionSettings(
                names == null ? Optional.empty() : Optional.of(names.equals("none") ? List.of()
                        : Arrays.stream(names.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList()),
                Optional.ofNullable(url), table == null ? JdbcPositions.DEFAULT_TABLE : table);
    }

    public ProjectionSettings withJdbcUrl(String url) {
        return new ProjectionSettings(names, Optional.of(url), positionsTable);
    }

    public ProjectionSettings withNames(List<String> selected) {
        return new ProjectionSettings(Optional.of(selected), jdbcUrl, positionsTable);
    }

    /**
     * The registered projections to run: those named, or by default every one whose followed types
     * are all among {@code types} (a worker of {@code ex_users} alone does not run a projection of
     * {@code ex_accounts}; a worker of no types runs every one).
     *
     * @throws InvalidSettingException naming unknown projections and listing the known ones
     */
    public List<Projection> select(List<? extends Projection> registered, List<? extends AggregateType<?>> types) {
        Map<String, Projection> byName = new LinkedHashMap<>();
        registered.forEach(projection -> byName.put(projection.name(), projection));
        if (names.isEmpty() && types.isEmpty()) {
            return List.copyOf(byName.values());   // a worker of no aggregate types (--types none) runs them all
        }
        if (names.isEmpty()) {
            List<String> run = types.stream().map(AggregateType::name).toList();
            return byName.values().stream().filter(projection -> run.containsAll(projection.follows())).toList();
        }
        List<String> unknown = names.get().stream().filter(name -> !byName.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.PROJECTIONS, "unknown projection" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + "; known: " + String.join(", ", byName.keySet()));
        }
        return names.get().stream().map(byName::get).toList();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
