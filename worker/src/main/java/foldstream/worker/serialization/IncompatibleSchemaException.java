package foldstream.worker.serialization;

import java.util.List;

/**
 * Schemas the registry would refuse: for each, the subject, its latest version, the compatibility
 * level that applies and Avro's reasons. Nothing was registered.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

    private final List<Refusal> refusals;

    public IncompatibleSchemaException(List<Refusal> refusals) {
        super(INCOMPATIBLE_SCHEMA, refusals.get(0).subject(), describe(refusals));
        this.refusals = List.copyOf(refusals);
    }

    public List<Refusal> refusals() {
        return refusals;
    }

    /** One subject whose new schema is incompatible with its latest registered version. */
    public record Refusal(String subject, String recordName, int latestVersion, int latestId,
                          CompatibilityLevel level, List<String> reasons) {
        public Refusal {
            reasons = List.copyOf(reasons);
        }
    }

    private static String describe(List<Refusal> refusals) {
        StringBuilder message = new StringBuilder("the schemas of this code are incompatible with the registry's:");
        for (Refusal refusal : refusals) {
            message.append("\n  subject '").append(refusal.subject()).append("': ").append(refusal.recordName())
                    .append(" cannot follow version ").append(refusal.latestVersion())
                    .append(" (id ").append(refusal.latestId()).append(") under ").append(refusal.level());
            for (String reason : refusal.reasons()) {
                message.append("\n    - ").append(reason);
            }
        }
        return message.toString();
    }
}
