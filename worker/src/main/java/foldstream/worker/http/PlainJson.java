package foldstream.worker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import foldstream.worker.serialization.AvroJson;
import foldstream.worker.serialization.WireFormatException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro records as the JSON people write and expect, by the record's schema: a union value is the
 * value itself ({@code "owner": "ann"}, {@code null} when absent), not Avro's tagged
 * {@code {"string": "ann"}}; timestamps are ISO-8601 text ({@code "2026-11-23T15:38:02.784Z"}),
 * dates {@code "2026-11-23"}, times {@code "15:38:02.784"}, decimals JSON numbers. Enums are their
 * symbols, maps objects, arrays arrays, records objects; bytes and fixed stay Avro's text of one
 * character per byte.
 *
 * <p>Reading accepts that plain JSON and Avro's own JSON encoding alike (a union value tagged with
 * its branch, a timestamp as its number, a decimal as Avro's bytes text), fills absent fields that
 * have a default, and refuses, naming the field: unknown fields, missing ones, values of the wrong
 * type, and anything after the JSON value ({@code {"by":1}}}}}).
 *
 * <pre>{@code
 * Deposit deposit = PlainJson.read("{\"amount\": 10}", Deposit.class);
 * JsonNode json = PlainJson.write(result);       // {"commandId": "...", "aggregateId": "a1", "errorCode": null, ...}
 * }</pre>
 */
public final class PlainJson {

    /** Strict: no trailing content, no duplicate keys. Configured once here, never changed after. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PlainJson() {
    }

    /** The record as plain JSON. */
    public static JsonNode write(SpecificRecord record) {
        try {
            return fromAvro(MAPPER.readTree(AvroJson.write(record)), record.getSchema());
        } catch (JsonProcessingException e) {
            throw new WireFormatException("cannot write " + record.getSchema().getFullName() + " as JSON", e);
        }
    }

    /** The record as plain JSON text. */
    public static String writeString(SpecificRecord record) {
        return write(record).toString();
    }

    /**
     * Parses one JSON value, refusing anything after it and duplicate keys.
     *
     * @throws WireFormatException saying where the text is not JSON
     */
    public static JsonNode parse(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new WireFormatException("the body is empty: expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new WireFormatException("not JSON: " + e.getOriginalMessage() + locate(e));
        }
    }

    /** Reads a record from plain JSON or Avro's JSON encoding; see the class comment. */
    public static <T extends SpecificRecord> T read(String json, Class<T> type) {
        return read(parse(json), type);
    }

    /**
     * Reads a record from plain JSON or Avro's JSON encoding.
     *
     * @throws WireFormatException naming the record and the field that does not fit
     */
    public static <T extends SpecificRecord> T read(JsonNode json, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        JsonNode avro = avroEncoding(json, schema);
        try {
            return AvroJson.read(MAPPER.writeValueAsString(avro), type);
        } catch (JsonProcessingException e) {
            throw new WireFormatException("cannot read " + schema.getFullName(), e);
        }
    }

    /** Avro's JSON encoding of a value of {@code schema}, from plain JSON (or that encoding already). */
    static JsonNode avroEncoding(JsonNode plain, Schema schema) {
        try {
            return toAvro(plain, schema, "");
        } catch (Misfit e) {
            throw new WireFormatException("the JSON does not fit " + schema.getFullName() + ": " + e.getMessage());
        }
    }

    /** Plain JSON of a value of {@code schema}, from Avro's JSON encoding. */
    static JsonNode plain(JsonNode avroEncoded, Schema schema) {
        return fromAvro(avroEncoded, schema);
    }

    // ---- Avro's JSON encoding to plain JSON

    private static JsonNode fromAvro(JsonNode node, Schema schema) {
        if (node == null || node.isNull()) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode out = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    out.set(field.name(), fromAvro(node.get(field.name()), field.schema()));
                }
                return out;
            }
            case UNION: {
                Map.Entry<String, JsonNode> tagged = node.fields().next();
                return fromAvro(tagged.getValue(), branchNamed(schema, tagged.getKey()));
            }
            case ARRAY: {
                ArrayNode out = NODES.arrayNode();
                node.forEach(item -> out.add(fromAvro(item, schema.getElementType())));
                return out;
            }
            case MAP: {
                ObjectNode out = NODES.objectNode();
                node.fields().forEachRemaining(entry -> out.set(entry.getKey(), fromAvro(entry.getValue(), schema.getValueType())));
                return out;
            }
            case LONG:
            case INT:
                return temporalFromAvro(node, schema.getLogicalType());
            case BYTES:
            case FIXED:
                if (schema.getLogicalType() instanceof LogicalTypes.Decimal decimal) {
                    return NODES.numberNode(new BigDecimal(new BigInteger(node.asText().getBytes(StandardCharsets.ISO_8859_1)),
                            decimal.getScale()));
                }
                return node;
            default:
                return node;
        }
    }

    private static JsonNode temporalFromAvro(JsonNode node, LogicalType logical) {
        if (logical == null) {
            return node;
        }
        long value = node.asLong();
        return switch (logical.getName()) {
            case "timestamp-millis" -> NODES.textNode(Instant.ofEpochMilli(value).toString());
            case "timestamp-micros" -> NODES.textNode(Instant.EPOCH.plus(value, ChronoUnit.MICROS).toString());
            case "timestamp-nanos" -> NODES.textNode(Instant.EPOCH.plus(value, ChronoUnit.NANOS).toString());
            case "local-timestamp-millis" -> NODES.textNode(LocalDateTime.ofEpochSecond(Math.floorDiv(value, 1000),
                    (int) Math.floorMod(value, 1000) * 1_000_000, ZoneOffset.UTC).toString());
            case "local-timestamp-micros" -> NODES.textNode(LocalDateTime.ofEpochSecond(Math.floorDiv(value, 1_000_000),
                    (int) Math.floorMod(value, 1_000_000) * 1000, ZoneOffset.UTC).toString());
            case "date" -> NODES.textNode(LocalDate.ofEpochDay(value).toString());
            case "time-millis" -> NODES.textNode(LocalTime.ofNanoOfDay(value * 1_000_000).toString());
            case "time-micros" -> NODES.textNode(LocalTime.ofNanoOfDay(value * 1000).toString());
            default -> node;
        };
    }

    // ---- plain JSON (or Avro's JSON encoding) to Avro's JSON encoding

    private static JsonNode toAvro(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case NULL:
                if (!node.isNull()) {
                    throw misfit(path, "null", node);
                }
                return node;
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw misfit(path, "true or false", node);
                }
                return node;
            case INT:
                return intToAvro(node, schema.getLogicalType(), path);
            case LONG:
                return longToAvro(node, schema.getLogicalType(), path);
            case FLOAT:
            case DOUBLE:
                if (!node.isNumber()) {
                    throw misfit(path, "a number", node);
                }
                return node;
            case STRING:
                if (!node.isTextual()) {
                    throw misfit(path, "a string", node);
                }
                if (schema.getLogicalType() != null && "uuid".equals(schema.getLogicalType().getName())) {
                    try {
                        UUID.fromString(node.asText());
                    } catch (IllegalArgumentException e) {
                        throw misfit(path, "a UUID", node);
                    }
                }
                return node;
            case BYTES:
            case FIXED:
                return bytesToAvro(node, schema, path);
            case ENUM:
                if (!node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    throw misfit(path, "one of " + schema.getEnumSymbols(), node);
                }
                return node;
            case ARRAY: {
                if (!node.isArray()) {
                    throw misfit(path, "an array", node);
                }
                ArrayNode out = NODES.arrayNode();
                for (int i = 0; i < node.size(); i++) {
                    out.add(toAvro(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return out;
            }
            case MAP: {
                if (!node.isObject()) {
                    throw misfit(path, "an object (a map)", node);
                }
                ObjectNode out = NODES.objectNode();
                node.fields().forEachRemaining(entry -> out.set(entry.getKey(),
                        toAvro(entry.getValue(), schema.getValueType(), path + "[\"" + entry.getKey() + "\"]")));
                return out;
            }
            case RECORD:
                return recordToAvro(node, schema, path);
            case UNION:
                return unionToAvro(node, schema, path);
            default:
                throw new Misfit(where(path) + "unsupported type " + schema.getType());
        }
    }

    private static JsonNode recordToAvro(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw misfit(path, "an object (" + schema.getName() + ")", node);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new Misfit(where(path) + schema.getName() + " has no field '" + name + "'; its fields are "
                        + schema.getFields().stream().map(Schema.Field::name).toList());
            }
        }
        ObjectNode out = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            JsonNode value = node.get(field.name());
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new Misfit(fieldPath + ": missing (the field has no default)");
                }
                Object defaultValue = field.defaultVal();
                value = defaultValue == JsonProperties.NULL_VALUE ? NODES.nullNode() : MAPPER.valueToTree(defaultValue);
            }
            out.set(field.name(), toAvro(value, field.schema(), fieldPath));
        }
        return out;
    }

    /** A value tagged with one of the union's branches (Avro's encoding), or the first branch the plain value fits. */
    private static JsonNode unionToAvro(JsonNode node, Schema union, String path) {
        if (node.isNull()) {
            if (union.getTypes().stream().noneMatch(branch -> branch.getType() == Schema.Type.NULL)) {
                throw misfit(path, "one of " + branchNames(union), node);
            }
            return node;
        }
        if (node.isObject() && node.size() == 1) {
            String tag = node.fieldNames().next();
            Schema tagged = union.getTypes().stream().filter(branch -> branchName(branch).equals(tag)).findFirst().orElse(null);
            if (tagged != null && tagged.getType() != Schema.Type.NULL) {
                return NODES.objectNode().set(tag, toAvro(node.get(tag), tagged, path));
            }
        }
        List<String> problems = new ArrayList<>();
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return NODES.objectNode().set(branchName(branch), toAvro(node, branch, path));
            } catch (Misfit e) {
                problems.add(e.getMessage());
            }
        }
        throw new Misfit(problems.size() == 1 ? problems.get(0)
                : where(path) + "fits none of " + branchNames(union) + " (" + String.join("; ", problems) + ")");
    }

    private static JsonNode intToAvro(JsonNode node, LogicalType logical, String path) {
        String name = logical == null ? "" : logical.getName();
        if (node.isTextual() && name.equals("date")) {
            try {
                return NODES.numberNode((int) LocalDate.parse(node.asText()).toEpochDay());
            } catch (DateTimeParseException e) {
                throw misfit(path, "a date such as \"2026-11-23\"", node);
            }
        }
        if (node.isTextual() && name.equals("time-millis")) {
            try {
                return NODES.numberNode((int) (LocalTime.parse(node.asText()).toNanoOfDay() / 1_000_000));
            } catch (DateTimeParseException e) {
                throw misfit(path, "a time such as \"15:38:02.784\"", node);
            }
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw misfit(path, name.isEmpty() ? "a whole number (int)" : "a " + name + " (text, or Avro's int)", node);
        }
        return node;
    }

    private static JsonNode longToAvro(JsonNode node, LogicalType logical, String path) {
        String name = logical == null ? "" : logical.getName();
        if (node.isTextual() && !name.isEmpty()) {
            try {
                return NODES.numberNode(switch (name) {
                    case "timestamp-millis" -> instant(node.asText()).toEpochMilli();
                    case "timestamp-micros" -> ChronoUnit.MICROS.between(Instant.EPOCH, instant(node.asText()));
                    case "timestamp-nanos" -> ChronoUnit.NANOS.between(Instant.EPOCH, instant(node.asText()));
                    case "local-timestamp-millis" -> ChronoUnit.MILLIS.between(Instant.EPOCH,
                            LocalDateTime.parse(node.asText()).toInstant(ZoneOffset.UTC));
                    case "local-timestamp-micros" -> ChronoUnit.MICROS.between(Instant.EPOCH,
                            LocalDateTime.parse(node.asText()).toInstant(ZoneOffset.UTC));
                    case "time-micros" -> LocalTime.parse(node.asText()).toNanoOfDay() / 1000;
                    default -> throw misfit(path, "a whole number (long)", node);
                });
            } catch (DateTimeParseException | ArithmeticException e) {
                throw misfit(path, "a " + name + " such as \"2026-11-23T15:38:02.784Z\" (or Avro's number)", node);
            }
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw misfit(path, name.isEmpty() ? "a whole number (long)" : "a " + name + " (text, or Avro's long)", node);
        }
        return node;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text).toInstant();
        }
    }

    private static JsonNode bytesToAvro(JsonNode node, Schema schema, String path) {
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal decimal && node.isNumber()) {
            byte[] unscaled;
            try {
                unscaled = node.decimalValue().setScale(decimal.getScale()).unscaledValue().toByteArray();
            } catch (ArithmeticException e) {
                throw misfit(path, "a decimal with at most " + decimal.getScale() + " digits after the point", node);
            }
            if (schema.getType() == Schema.Type.FIXED) {
                if (unscaled.length > schema.getFixedSize()) {
                    throw misfit(path, "a decimal that fits " + schema.getFixedSize() + " bytes", node);
                }
                byte[] padded = new byte[schema.getFixedSize()];
                byte sign = unscaled[0] < 0 ? (byte) 0xff : 0;
                java.util.Arrays.fill(padded, 0, padded.length - unscaled.length, sign);
                System.arraycopy(unscaled, 0, padded, padded.length - unscaled.length, unscaled.length);
                unscaled = padded;
            }
            return NODES.textNode(new String(unscaled, StandardCharsets.ISO_8859_1));
        }
        if (!node.isTextual()) {
            throw misfit(path, "text of one character per byte (Avro's bytes)", node);
        }
        if (schema.getType() == Schema.Type.FIXED && node.asText().length() != schema.getFixedSize()) {
            throw misfit(path, schema.getFixedSize() + " bytes", node);
        }
        return node;
    }

    // ---- names and messages

    /** The name Avro's JSON encoding tags a union branch with. */
    private static String branchName(Schema branch) {
        return switch (branch.getType()) {
            case RECORD, ENUM, FIXED -> branch.getFullName();
            default -> branch.getType().getName();
        };
    }

    private static Schema branchNamed(Schema union, String name) {
        return union.getTypes().stream().filter(branch -> branchName(branch).equals(name)).findFirst()
                .orElseThrow(() -> new WireFormatException("no branch " + name + " in " + branchNames(union)));
    }

    private static List<String> branchNames(Schema union) {
        return union.getTypes().stream().map(PlainJson::branchName).toList();
    }

    private static Misfit misfit(String path, String expected, JsonNode was) {
        String shown = was.toString();
        return new Misfit(where(path) + "expected " + expected + ", was " + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown));
    }

    private static String where(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static String locate(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (at character " + (e.getLocation().getCharOffset() + 1) + ")";
    }

    /** A value that does not fit its schema; the message names the field. */
    private static final class Misfit extends RuntimeException {
        Misfit(String message) {
            super(message, null, false, false);
        }
    }
}
