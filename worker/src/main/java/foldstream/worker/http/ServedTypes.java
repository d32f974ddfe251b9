package foldstream.worker.http;

import foldstream.worker.aggregate.AggregateType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The aggregate types this worker serves over HTTP, by name; an unknown name is a 404 naming the known ones. */
public final class ServedTypes {

    private final Map<String, AggregateType<?>> byName = new TreeMap<>();

    public ServedTypes(List<? extends AggregateType<?>> types) {
        types.forEach(type -> byName.put(type.name(), type));
    }

    public AggregateType<?> require(String name) {
        AggregateType<?> type = byName.get(name);
        if (type == null) {
            throw new HttpProblem(404, "UNKNOWN_TYPE", "no aggregate type " + name + "; this worker serves " + byName.keySet());
        }
        return type;
    }
}
