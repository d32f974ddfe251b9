package foldstream.worker.serialization;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonDecoder;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro's own JSON encoding of generated records, for HTTP and the command line. Unions are tagged
 * with their branch, as Avro specifies: {@code {"message": {"string": "too short"}}}; null is
 * {@code null}.
 *
 * <pre>{@code
 * Deposit d = AvroJson.read("{\"amount\": 10}", Deposit.class);
 * String json = AvroJson.write(d);
 * }</pre>
 */
public final class AvroJson {

    private AvroJson() {
    }

    public static String write(SpecificRecord record) {
        Schema schema = record.getSchema();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
            new SpecificDatumWriter<SpecificRecord>(schema, SpecificData.getForSchema(schema)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("cannot write " + schema.getFullName() + " as JSON: " + e.getMessage(), e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Reads a record; JSON that is not valid or does not fit the schema throws {@link WireFormatException} saying why. */
    public static <T extends SpecificRecord> T read(String json, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        try {
            JsonDecoder decoder = DecoderFactory.get().jsonDecoder(schema, json);
            return type.cast(new SpecificDatumReader<T>(schema, schema, SpecificData.getForSchema(schema)).read(null, decoder));
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("the JSON does not fit " + schema.getFullName() + " " + schema
                    + ": " + e.getMessage(), e);
        }
    }
}
