package foldstream.worker.serialization;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}. BACKWARD
 * means the new schema can read data written with the previous one; FORWARD the reverse; FULL both;
 * the TRANSITIVE variants check against every earlier version, not only the latest.
 */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /**
     * Checks a candidate against the existing versions of a subject, oldest first.
     *
     * @return the reasons it is incompatible; empty when compatible
     */
    public List<String> check(Schema candidate, List<Schema> existingOldestFirst) {
        if (this == NONE || existingOldestFirst.isEmpty()) {
            return List.of();
        }
        List<Schema> against = transitive()
                ? existingOldestFirst
                : List.of(existingOldestFirst.get(existingOldestFirst.size() - 1));
        List<String> reasons = new ArrayList<>();
        for (Schema existing : against) {
            if (backward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing),
                        "the new schema cannot read data written with the old one", reasons);
            }
            if (forward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate),
                        "the old schema cannot read data written with the new one", reasons);
            }
        }
        return reasons;
    }

    private boolean transitive() {
        return this == BACKWARD_TRANSITIVE || this == FORWARD_TRANSITIVE || this == FULL_TRANSITIVE;
    }

    private boolean backward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    private boolean forward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    private static void describe(SchemaPairCompatibility result, String direction, List<String> reasons) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            reasons.add(direction + ": " + incompatibility.getType() + " at '" + incompatibility.getLocation()
                    + "': " + incompatibility.getMessage());
        }
    }
}
