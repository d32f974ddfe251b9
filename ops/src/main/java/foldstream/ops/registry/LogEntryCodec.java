package foldstream.ops.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import foldstream.worker.serialization.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The JSON keys and values of the schemas topic, modelled on Confluent's: keys carry a
 * {@code keytype} of {@code SCHEMA}, {@code CONFIG} or {@code MODE}; schema values carry subject, version, id
 * and the schema text; config values carry {@code compatibilityLevel}, mode values {@code mode}.
 *
 * <p>Schema keys also carry the id and a SHA-256 of the schema text, so two different attempts at one
 * subject version never share a key: compaction then never replaces an accepted registration with a
 * later, refused one, and replaying the compacted topic gives the same state. Config keys are one per
 * subject (or global), so compaction keeps the latest level, as replay would.
 */
final class LogEntryCodec {

    private final ObjectMapper json = new ObjectMapper();

    byte[] key(LogEntry entry) {
        ObjectNode key = json.createObjectNode();
        if (entry instanceof LogEntry.SchemaVersion schema) {
            key.put("keytype", "SCHEMA").put("subject", schema.subject()).put("version", schema.version())
                    .put("id", schema.id()).put("sha256", sha256(schema.schema()));
        } else if (entry instanceof LogEntry.ModeChange mode) {
            key.put("keytype", "MODE").put("subject", mode.subject());
        } else {
            key.put("keytype", "CONFIG").put("subject", ((LogEntry.ConfigChange) entry).subject());
        }
        return bytes(key.put("magic", 1));
    }

    byte[] value(LogEntry entry) {
        ObjectNode value = json.createObjectNode();
        if (entry instanceof LogEntry.SchemaVersion schema) {
            value.put("subject", schema.subject()).put("version", schema.version()).put("id", schema.id())
                    .put("schema", schema.schema()).put("deleted", false);
        } else if (entry instanceof LogEntry.ModeChange mode) {
            value.put("mode", mode.mode().name());
        } else {
            value.put("compatibilityLevel", ((LogEntry.ConfigChange) entry).level().name());
        }
        return bytes(value);
    }

    /** The entry, or empty for records this server does not use (other key types, tombstones, deleted versions). */
    Optional<LogEntry> read(byte[] keyBytes, byte[] valueBytes) throws IOException {
        if (keyBytes == null || valueBytes == null) {
            return Optional.empty();
        }
        JsonNode key = json.readTree(keyBytes);
        JsonNode value = json.readTree(valueBytes);
        String keyType = key.path("keytype").asText();
        if ("SCHEMA".equals(keyType) && !value.path("deleted").asBoolean(false)) {
            return Optional.of(new LogEntry.SchemaVersion(value.path("subject").asText(), value.path("version").asInt(),
                    value.path("id").asInt(), value.path("schema").asText()));
        }
        if ("CONFIG".equals(keyType) && value.hasNonNull("compatibilityLevel")) {
            String subject = key.hasNonNull("subject") ? key.path("subject").asText() : null;
            return Optional.of(new LogEntry.ConfigChange(subject, CompatibilityLevel.valueOf(value.path("compatibilityLevel").asText())));
        }
        if ("MODE".equals(keyType) && value.hasNonNull("mode")) {
            String subject = key.hasNonNull("subject") ? key.path("subject").asText() : null;
            return Optional.of(new LogEntry.ModeChange(subject, RegistryMode.valueOf(value.path("mode").asText())));
        }
        return Optional.empty();
    }

    private byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
