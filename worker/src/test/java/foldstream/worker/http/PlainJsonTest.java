package foldstream.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.users.UpdateProfile;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.worker.serialization.AvroJson;
import foldstream.worker.serialization.WireFormatException;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.junit.jupiter.api.Test;

class PlainJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every kind of value a command or state can hold. */
    private static final Schema RICH = new Schema.Parser().parse("""
            {"type": "record", "name": "Rich", "namespace": "test", "fields": [
              {"name": "name", "type": "string"},
              {"name": "nick", "type": ["null", "string"], "default": null},
              {"name": "count", "type": ["null", "long", "string"]},
              {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}},
              {"name": "maybeColour", "type": ["null", "Colour"], "default": null},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "on", "type": {"type": "int", "logicalType": "date"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "limits", "type": {"type": "map", "values": "int"}},
              {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
                {"name": "city", "type": "string"},
                {"name": "zip", "type": ["null", "string"], "default": null}]}]},
              {"name": "ratio", "type": "double"},
              {"name": "flag", "type": "boolean", "default": true}
            ]}""");

    private static GenericRecord rich() {
        Schema address = RICH.getField("address").schema().getTypes().get(1);
        GenericRecord record = new GenericData.Record(RICH);
        record.put("name", "ann");
        record.put("nick", null);
        record.put("count", 42L);
        record.put("colour", new GenericData.EnumSymbol(RICH.getField("colour").schema(), "GREEN"));
        record.put("maybeColour", new GenericData.EnumSymbol(RICH.getField("colour").schema(), "RED"));
        record.put("at", Instant.parse("2026-11-23T15:38:02.784Z").toEpochMilli());
        record.put("on", 20_415);
        record.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.50"), null,
                LogicalTypes.decimal(9, 2)));
        record.put("id", "0f8fad5b-d9cb-469f-a165-70867728950e");
        record.put("tags", List.of("a", "b"));
        record.put("limits", Map.of("daily", 3));
        GenericRecord home = new GenericData.Record(address);
        home.put("city", "Oslo");
        home.put("zip", "0150");
        record.put("address", home);
        record.put("ratio", 0.5);
        record.put("flag", false);
        return record;
    }

    private static JsonNode avroEncoded(GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    private static GenericRecord decode(JsonNode avroEncoded) throws Exception {
        return new GenericDatumReader<GenericRecord>(RICH).read(null,
                DecoderFactory.get().jsonDecoder(RICH, avroEncoded.toString()));
    }

    @Test
    void writesUnionsAsTheirValueTimesAsTextDecimalsAsNumbers() throws Exception {
        JsonNode plain = PlainJson.plain(avroEncoded(rich()), RICH);

        assertThat(plain.get("price").isBigDecimal()).isTrue();
        assertThat(plain.get("price").decimalValue()).isEqualTo(new BigDecimal("12.50"));
        JsonNode withoutPrice = ((com.fasterxml.jackson.databind.node.ObjectNode) plain.deepCopy()).without("price");
        assertThat(withoutPrice).isEqualTo(JSON.readTree("""
                {"name": "ann", "nick": null, "count": 42, "colour": "GREEN", "maybeColour": "RED",
                 "at": "2026-11-23T15:38:02.784Z", "on": "2025-11-23",
                 "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "tags": ["a", "b"], "limits": {"daily": 3},
                 "address": {"city": "Oslo", "zip": "0150"}, "ratio": 0.5, "flag": false}"""));
    }

    @Test
    void plainJsonReadsBackToTheSameRecordAndAvrosOwnEncodingIsAcceptedToo() throws Exception {
        GenericRecord original = rich();
        JsonNode encoded = avroEncoded(original);

        assertThat(decode(PlainJson.avroEncoding(PlainJson.plain(encoded, RICH), RICH))).isEqualTo(original);
        assertThat(decode(PlainJson.avroEncoding(encoded, RICH))).isEqualTo(original);
    }

    @Test
    void aUnionTakesTheFirstBranchThePlainValueFitsAndAbsentFieldsTheirDefaults() throws Exception {
        JsonNode plain = JSON.readTree("""
                {"name": "bo", "count": "many", "colour": "RED", "at": 1795448282784, "on": "2026-01-31", "price": "\\u0004\\u00e2",
                 "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "tags": [], "limits": {}, "address": null, "ratio": 1}""");

        GenericRecord read = decode(PlainJson.avroEncoding(plain, RICH));

        assertThat(read.get("count").toString()).isEqualTo("many");
        assertThat(read.get("nick")).isNull();
        assertThat(read.get("maybeColour")).isNull();
        assertThat(read.get("flag")).isEqualTo(true);
        assertThat(read.get("at")).isEqualTo(1795448282784L);
        assertThat(new Conversions.DecimalConversion().fromBytes((ByteBuffer) read.get("price"), null, LogicalTypes.decimal(9, 2)))
                .isEqualTo(new BigDecimal("12.50"));
    }

    @Test
    void refusalsNameTheField() throws Exception {
        JsonNode good = PlainJson.plain(avroEncoded(rich()), RICH);

        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .put("colour", "BLUE"), RICH)).hasMessageContaining("colour: expected one of [RED, GREEN], was \"BLUE\"");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .put("nmae", "x"), RICH)).hasMessageContaining("Rich has no field 'nmae'");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .without("name"), RICH)).hasMessageContaining("name: missing");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .set("address", JSON.readTree("{\"city\": 7}")), RICH)).hasMessageContaining("address.city: expected a string");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .put("price", 1.234), RICH)).hasMessageContaining("price: expected a decimal with at most 2 digits");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .put("at", "yesterday"), RICH)).hasMessageContaining("at: expected a timestamp-millis");
        assertThatThrownBy(() -> PlainJson.avroEncoding(((com.fasterxml.jackson.databind.node.ObjectNode) good.deepCopy())
                .put("id", "not-a-uuid"), RICH)).hasMessageContaining("id: expected a UUID");
    }

    @Test
    void commandsReadFromPlainJsonOrAvrosEncodingAndNothingAfterTheValue() {
        assertThat(PlainJson.read("{\"amount\": 10}", Deposit.class)).isEqualTo(new Deposit(10L));
        assertThat(PlainJson.read("{\"name\": \"Ann\"}", UpdateProfile.class).getName()).isEqualTo("Ann");
        assertThat(PlainJson.read("{\"owner\": \"ann\"}", OpenAccount.class)).isEqualTo(new OpenAccount("ann"));

        assertThatThrownBy(() -> PlainJson.read("{\"amount\": 1}}}}", Deposit.class))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PlainJson.read("{\"amount\": 1} {\"amount\": 2}", Deposit.class))
                .isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> PlainJson.read("{\"amount\": 1, \"amount\": 2}", Deposit.class))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> PlainJson.read("", Deposit.class)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> PlainJson.read("{\"amount\": 9223372036854775808}", Deposit.class))
                .hasMessageContaining("amount: expected a whole number (long)");
    }

    @Test
    void aResultIsWrittenAsPeopleExpect() throws Exception {
        CommandResult result = new CommandResult("c1", "ex_accounts", "acc-1", Outcome.REJECTED, 2L, 0, "INSUFFICIENT_FUNDS", null,
                List.of(new FieldViolation("amount", "too much")), Instant.parse("2026-11-23T15:38:02.784Z"));

        assertThat(PlainJson.write(result)).isEqualTo(JSON.readTree("""
                {"commandId": "c1", "aggregateType": "ex_accounts", "aggregateId": "acc-1", "outcome": "REJECTED", "version": 2,
                 "eventCount": 0, "errorCode": "INSUFFICIENT_FUNDS", "message": null,
                 "violations": [{"field": "amount", "message": "too much"}], "processedAt": "2026-11-23T15:38:02.784Z"}"""));
        assertThat(PlainJson.read(PlainJson.write(result), CommandResult.class)).isEqualTo(result);
        assertThat(PlainJson.read(AvroJson.write(result), CommandResult.class)).isEqualTo(result);
    }
}
