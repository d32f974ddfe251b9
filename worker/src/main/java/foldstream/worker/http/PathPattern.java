package foldstream.worker.http;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A route's path: literal segments and {@code {name}} parameters, one segment each.
 *
 * <pre>{@code
 * PathPattern.of("/aggregates/{type}/{id}").match(List.of("aggregates", "ex_accounts", "a/1"))
 *     // Optional[{type=ex_accounts, id=a/1}]
 * }</pre>
 */
public record PathPattern(String text, List<String> segments) {

    public static PathPattern of(String text) {
        return new PathPattern(text, RouteTable.segments(text, false));
    }

    /** The parameters when the decoded segments match, else empty. */
    public Optional<Map<String, String>> match(List<String> decoded) {
        if (decoded.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.startsWith("{") && segment.endsWith("}")) {
                parameters.put(segment.substring(1, segment.length() - 1), decoded.get(i));
            } else if (!segment.equals(decoded.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }
}
