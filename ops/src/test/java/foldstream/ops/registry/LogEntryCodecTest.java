package foldstream.ops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.serialization.CompatibilityLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogEntryCodecTest {

    private final LogEntryCodec codec = new LogEntryCodec();

    @Test
    void entriesReadBackAsWritten() throws IOException {
        LogEntry schema = new LogEntry.SchemaVersion("s", 2, 7, "\"string\"");
        LogEntry subjectLevel = new LogEntry.ConfigChange("s", CompatibilityLevel.FULL);
        LogEntry globalLevel = new LogEntry.ConfigChange(null, CompatibilityLevel.NONE);
        LogEntry subjectMode = new LogEntry.ModeChange("s", RegistryMode.READWRITE);
        LogEntry globalMode = new LogEntry.ModeChange(null, RegistryMode.READONLY_OVERRIDE);

        for (LogEntry entry : new LogEntry[] {schema, subjectLevel, globalLevel, subjectMode, globalMode}) {
            assertThat(codec.read(codec.key(entry), codec.value(entry))).contains(entry);
        }
    }

    @Test
    void twoAttemptsAtOneSubjectVersionNeverShareAKeySoCompactionKeepsBoth() {
        byte[] first = codec.key(new LogEntry.SchemaVersion("s", 1, 5, "\"string\""));
        byte[] sameIdOtherSchema = codec.key(new LogEntry.SchemaVersion("s", 1, 5, "\"int\""));
        byte[] otherId = codec.key(new LogEntry.SchemaVersion("s", 1, 6, "\"string\""));

        assertThat(first).isNotEqualTo(sameIdOtherSchema).isNotEqualTo(otherId);
        assertThat(codec.key(new LogEntry.ConfigChange("s", CompatibilityLevel.FULL)))
                .as("one key per subject's level: compaction keeps the latest")
                .isEqualTo(codec.key(new LogEntry.ConfigChange("s", CompatibilityLevel.NONE)));
    }

    @Test
    void recordsOfOtherKindsAreSkipped() throws IOException {
        byte[] noop = "{\"keytype\":\"NOOP\",\"magic\":0}".getBytes(StandardCharsets.UTF_8);
        byte[] deleted = "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":\"\\\"string\\\"\",\"deleted\":true}".getBytes(StandardCharsets.UTF_8);
        byte[] schemaKey = "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}".getBytes(StandardCharsets.UTF_8);

        assertThat(codec.read(noop, "{}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(codec.read(schemaKey, deleted)).isEmpty();
        assertThat(codec.read(schemaKey, null)).as("a tombstone").isEmpty();
    }
}
