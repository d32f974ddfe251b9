package foldstream.worker.app;

import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.runtime.ProcessOptions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which process managers a worker runs, and how long it keeps finished instances.
 *
 * <pre>{@code
 * --processes transfer          (FOLDSTREAM_PROCESSES)   the named ones; "none" for none
 *                                                        default: every registered process whose
 *                                                        aggregate types this worker runs too
 * --process-retention PT24H     (FOLDSTREAM_PROCESS_RETENTION)   ISO-8601 duration, default P7D
 * }</pre>
 *
 * @param names the processes named, or empty for the default choice
 * @param retention how long a finished instance is kept as a marker before it is removed
 */
public record ProcessSettings(Optional<List<String>> names, Duration retention) {

    public static final String NONE = "none";

    public static final ProcessSettings DEFAULTS = new ProcessSettings(Optional.empty(), ProcessOptions.DEFAULT_RETENTION);

    /** Reads the two settings from their text ({@code null}: absent); errors name the setting. */
    public static ProcessSettings parse(Function<WorkerSetting, String> text) {
        String names = text.apply(WorkerSetting.PROCESSES);
        String retention = text.apply(WorkerSetting.PROCESS_RETENTION);
        Duration kept = ProcessOptions.DEFAULT_RETENTION;
        if (retention != null && !retention.isBlank()) {
            try {
                kept = Duration.parse(retention.trim());
            } catch (DateTimeParseException e) {
                throw new InvalidSettingException(WorkerSetting.PROCESS_RETENTION, "'" + retention
                        + "' is not an ISO-8601 duration such as P7D or PT12H");
            }
            if (kept.isNegative()) {
                throw new InvalidSettingException(WorkerSetting.PROCESS_RETENTION, "must not be negative, was " + retention);
            }
        }
        if (names == null || names.isBlank()) {
            return new ProcessSettings(Optional.empty(), kept);
        }
        List<String> list = new ArrayList<>();
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                list.add(name.trim());
            }
        }
        return new ProcessSettings(Optional.of(List.copyOf(list)), kept);
    }

    /**
     * The registered processes to run: those named (none for {@code none}), or by default every one
     * whose followed and target types are all among the worker's types (every one when the worker runs
     * no aggregate types).
     *
     * @throws InvalidSettingException naming unknown processes and listing the known ones
     */
    public List<ProcessType<?>> select(List<? extends ProcessType<?>> registered, List<? extends AggregateType<?>> types) {
        Map<String, ProcessType<?>> byName = new LinkedHashMap<>();
        registered.forEach(process -> byName.put(process.name(), process));
        if (names.isEmpty() && types.isEmpty()) {
            // A worker of no aggregate types (--types none) is there to run processes: all of them by default.
            return List.copyOf(byName.values());
        }
        if (names.isEmpty()) {
            Set<String> running = types.stream().map(AggregateType::name).collect(Collectors.toSet());
            return byName.values().stream().filter(p -> running.containsAll(p.aggregateTypes())).toList();
        }
        if (names.get().equals(List.of(NONE))) {
            return List.of();
        }
        List<String> unknown = names.get().stream().filter(name -> !byName.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.PROCESSES, "unknown process" + (unknown.size() == 1 ? " " : "es ")
                    + String.join(", ", unknown) + "; known: " + String.join(", ", byName.keySet()));
        }
        return names.get().stream().<ProcessType<?>>map(byName::get).distinct().toList();
    }

    public ProcessOptions options() {
        return ProcessOptions.DEFAULTS.withRetention(retention);
    }
}
