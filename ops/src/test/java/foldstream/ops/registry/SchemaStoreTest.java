package foldstream.ops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.serialization.CompatibilityLevel;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The rules every server folds the schemas topic with: the first record wins every conflict, on every server. */
class SchemaStoreTest {

    private static String schema(String name) {
        return SchemaBuilder.record(name).fields().requiredString("text").endRecord().toString();
    }

    private static LogEntry.SchemaVersion registration(String subject, int version, int id, String name) {
        return new LogEntry.SchemaVersion(subject, version, id, schema(name));
    }

    @Test
    void anIdTakenByAnotherSchemaIsRefusedAndTheFirstKeepsIt() {
        SchemaStore store = new SchemaStore();

        assertThat(store.apply(registration("a", 1, 1, "A"))).isTrue();
        assertThat(store.apply(registration("b", 1, 1, "B"))).isFalse();

        assertThat(store.schema(1).orElseThrow().getName()).isEqualTo("A");
        assertThat(store.versions("b")).isEmpty();
        assertThat(store.nextId()).isEqualTo(2);
    }

    @Test
    void aVersionTakenByAnotherSchemaIsRefused() {
        SchemaStore store = new SchemaStore();

        assertThat(store.apply(registration("a", 1, 1, "A"))).isTrue();
        assertThat(store.apply(registration("a", 1, 2, "B"))).isFalse();
        assertThat(store.apply(registration("a", 3, 2, "B"))).as("versions have no gaps").isFalse();
        assertThat(store.apply(registration("a", 2, 2, "B"))).isTrue();

        assertThat(store.versions("a")).extracting(SchemaStore.Version::id).containsExactly(1, 2);
    }

    @Test
    void oneSchemaHasOneIdAcrossSubjects() {
        SchemaStore store = new SchemaStore();

        assertThat(store.apply(registration("a", 1, 1, "A"))).isTrue();
        assertThat(store.apply(registration("b", 1, 2, "A"))).as("the same schema under a second id").isFalse();
        assertThat(store.apply(registration("b", 1, 1, "A"))).isTrue();
        assertThat(store.apply(registration("b", 2, 1, "A"))).as("already in the subject").isFalse();

        assertThat(store.idOf(new Schema.Parser().parse(schema("A")))).contains(1);
    }

    @Test
    void replayingTheSameRecordsGivesTheSameStateOnEveryServer() {
        List<LogEntry> topic = List.of(
                registration("a", 1, 1, "A"),
                registration("b", 1, 1, "B"),
                registration("b", 1, 2, "B"),
                new LogEntry.ConfigChange("b", CompatibilityLevel.FULL),
                registration("a", 2, 2, "C"),
                registration("a", 2, 3, "C"),
                new LogEntry.ConfigChange(null, CompatibilityLevel.NONE),
                new LogEntry.ConfigChange("b", CompatibilityLevel.FORWARD));
        SchemaStore one = new SchemaStore();
        SchemaStore other = new SchemaStore();
        topic.forEach(one::apply);
        topic.forEach(other::apply);

        for (SchemaStore store : List.of(one, other)) {
            assertThat(store.versions("a")).extracting(SchemaStore.Version::id).containsExactly(1, 3);
            assertThat(store.versions("b")).extracting(SchemaStore.Version::id).containsExactly(2);
            assertThat(store.level("b")).isEqualTo(CompatibilityLevel.FORWARD);
            assertThat(store.level("a")).isEqualTo(CompatibilityLevel.NONE);
            assertThat(store.subjects()).containsExactly("a", "b");
        }
    }

    @Test
    void theGlobalLevelIsBackwardUntilChanged() {
        SchemaStore store = new SchemaStore();

        assertThat(store.level("any")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(store.subjectLevel("any")).isEmpty();
    }
}
