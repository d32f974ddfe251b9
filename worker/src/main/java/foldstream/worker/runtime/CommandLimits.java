package foldstream.worker.runtime;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one command record may carry. A record over any limit is {@code MALFORMED} (and goes to
 * {@code S-dlq}) before anything allocates in proportion to what it declares, so a 10-byte value
 * that declares a 2 GB string is refused, not an {@code OutOfMemoryError}.
 *
 * <p>Set in {@link ProcessingOptions}, or per worker with the {@code --property} family
 * {@value #PREFIX}{@code NAME=VALUE}, where NAME is one of {@link #names()}:
 *
 * <pre>{@code
 * ops/foldstream worker ... --property foldstream.limits.aggregate-id-bytes=512 --property foldstream.limits.value-bytes=262144
 * }</pre>
 *
 * @param aggregateIdBytes the key (the aggregate id), in bytes (default 1,024)
 * @param commandIdBytes the {@code command-id} header, in bytes (default 1,024)
 * @param headerBytes each header's name plus value, in bytes (default 8,192)
 * @param headersBytes all headers together, in bytes (default 65,536)
 * @param valueBytes the command's value, wire-format header included (default 524,288)
 * @param collectionItems items in one Avro array or map of the value (default 100,000)
 * @param nestingDepth how deep records, arrays, maps and unions nest in the value (default 64)
 */
public record CommandLimits(int aggregateIdBytes, int commandIdBytes, int headerBytes, int headersBytes,
                            int valueBytes, int collectionItems, int nestingDepth) {

    /** The prefix of the worker's pass-through properties that set limits. */
    public static final String PREFIX = "foldstream.limits.";

    public static final CommandLimits DEFAULTS = new CommandLimits(1024, 1024, 8192, 65_536, 512 * 1024, 100_000, 64);

    public CommandLimits {
        positive("aggregate-id-bytes", aggregateIdBytes);
        positive("command-id-bytes", commandIdBytes);
        positive("header-bytes", headerBytes);
        positive("headers-bytes", headersBytes);
        positive("value-bytes", valueBytes);
        positive("collection-items", collectionItems);
        positive("nesting-depth", nestingDepth);
    }

    /** The names of the limits, as the properties spell them after {@link #PREFIX}. */
    public static java.util.List<String> names() {
        return java.util.List.copyOf(values(DEFAULTS).keySet());
    }

    /**
     * These limits with those set among {@code properties} (keys {@value #PREFIX}NAME); other keys
     * are ignored.
     *
     * @throws IllegalArgumentException naming the property when its name or value is not a limit
     */
    public CommandLimits with(Map<String, ?> properties) {
        Map<String, Integer> values = values(this);
        for (Map.Entry<String, ?> property : properties.entrySet()) {
            String key = property.getKey().trim();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String name = key.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException(key + " is not a limit; known: " + String.join(", ", values.keySet()));
            }
            String text = String.valueOf(property.getValue()).trim();
            try {
                values.put(name, Integer.parseInt(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + text + " is not a whole number from 1 to " + Integer.MAX_VALUE);
            }
        }
        try {
            return new CommandLimits(values.get("aggregate-id-bytes"), values.get("command-id-bytes"), values.get("header-bytes"),
                    values.get("headers-bytes"), values.get("value-bytes"), values.get("collection-items"), values.get("nesting-depth"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + e.getMessage());
        }
    }

    private static Map<String, Integer> values(CommandLimits limits) {
        Map<String, Integer> values = new LinkedHashMap<>();
        values.put("aggregate-id-bytes", limits.aggregateIdBytes);
        values.put("command-id-bytes", limits.commandIdBytes);
        values.put("header-bytes", limits.headerBytes);
        values.put("headers-bytes", limits.headersBytes);
        values.put("value-bytes", limits.valueBytes);
        values.put("collection-items", limits.collectionItems);
        values.put("nesting-depth", limits.nestingDepth);
        return values;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, was " + value);
        }
    }
}
