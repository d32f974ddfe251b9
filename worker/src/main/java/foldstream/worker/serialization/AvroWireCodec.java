package foldstream.worker.serialization;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes and reads Avro specific records in the Confluent Schema Registry wire format: byte 0, the
 * writer schema's id as 4 big-endian bytes, then the Avro binary body. Schema ids, writer schemas
 * and datum readers are cached, so the registry is asked once per schema, not once per record.
 * Reading resolves the writer schema into the generated class's schema, so a compatible older or
 * newer writer reads fine.
 *
 * <pre>{@code
 * AvroWireCodec codec = new AvroWireCodec(registry, true);
 * byte[] bytes = codec.encode("ex_users-events-foldstream.examples.users.UserCreated", event);
 * UserCreated back = codec.decode(bytes, UserCreated.class);
 * }</pre>
 *
 * <p>Thread-safe. Writer schemas are fetched through a {@link RegistryWait}: only "schema not found"
 * (40403) or a schema that is not Avro makes a value unreadable; any other registry failure is retried
 * with backoff and then surfaces as {@link SchemaRegistryUnavailableException}, never as unreadable
 * data. Registering or looking up a schema to write waits the same way, except for the registry's
 * refusals (incompatible, invalid, no such subject: {@link RegistryWait#definiteForWrites}).
 * {@link #registryHealth()} says since when it waits.
 */
public final class AvroWireCodec {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final RegistryWait registryWait;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<IndexedRecord>> writers = new ConcurrentHashMap<>();
    private final Map<ReaderKey, DatumReader<SpecificRecord>> readers = new ConcurrentHashMap<>();
    /**
     * A binary decoder per thread, configured anew for each value read: Avro's decoders are not
     * thread-safe, and a new one per value (with its buffer accessor and scratch space) was a
     * third of a rebuild's garbage on the stream thread. Each keeps the last value it read (one
     * value per thread) until the next.
     */
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();
    private final EncodeBuffers buffers = new EncodeBuffers();

    private record ReaderKey(int writerId, Class<?> readerClass) {
    }

    /**
     * @param autoRegister register a record's schema under its subject on first write (Confluent's
     *     default); when false, the subject's latest version must be that schema, or writing fails
     */
    public AvroWireCodec(SchemaRegistryClient registry, boolean autoRegister) {
        this(registry, autoRegister, RegistryWait.withDefaults());
    }

    /** As above, fetching writer schemas through {@code registryWait} (a worker's is sized to its transaction timeout). */
    public AvroWireCodec(SchemaRegistryClient registry, boolean autoRegister, RegistryWait registryWait) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.autoRegister = autoRegister;
        this.registryWait = Objects.requireNonNull(registryWait, "registryWait");
    }

    /** Whether fetching writer schemas waits on the registry, and since when. */
    public RegistryHealth registryHealth() {
        return registryWait.health();
    }

    /** How this codec's calls wait on the registry; a health probe reports through it into {@link #registryHealth()}. */
    public RegistryWait registryWait() {
        return registryWait;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /**
     * Writes the record under the subject; registers its schema on first use when auto-registration is
     * on. Generated (specific) records are the rule; a {@link GenericRecord} works too, for tools that
     * have a schema but no generated class.
     */
    public byte[] encode(String subject, IndexedRecord record) {
        Schema schema = record.getSchema();
        int id = schemaId(subject, schema);
        byte[] header = {MAGIC_BYTE, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        try {
            return buffers.write(header, record, writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, model(s))));
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("cannot write " + schema.getFullName() + " for subject '" + subject + "': " + e, e);
        }
    }

    /** The id this schema has under the subject, registering or checking it as configured; cached. */
    public int schemaId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        int id = registryWait.call("subject '" + subject + "'",
                () -> autoRegister ? registry.register(subject, schema) : latestMatching(subject, schema),
                RegistryWait::definiteForWrites);
        ids.put(schema, id);
        writerSchemas.putIfAbsent(id, schema);
        return id;
    }

    /**
     * Takes an id the caller already had from the registry for this subject and schema (the start-up
     * {@code SchemaGate} checks or registers every schema a worker writes), so that the first record
     * of each subject does not ask again on the stream thread. Only for writing: the writer schemas
     * of records read (commands from clients) are still looked up by id when first met, so a registry
     * that fails those lookups makes such records wait, as it always did.
     */
    public void remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).putIfAbsent(schema, id);
    }

    private int latestMatching(String subject, Schema schema) {
        RegisteredSchema latest = registry.latest(subject);
        if (SchemaNormalization.parsingFingerprint64(latest.schema()) != SchemaNormalization.parsingFingerprint64(schema)) {
            throw new WireFormatException("auto-registration is off and the latest version (" + latest.version()
                    + ", id " + latest.id() + ") of subject '" + subject + "' is not the schema of "
                    + schema.getFullName() + " this code writes; register it first");
        }
        return latest.id();
    }

    /**
     * Reads a value expected to be one of several record types, chosen by the writer schema's full
     * name. Never throws for bad bytes: those are {@link Decoded.Unreadable}.
     *
     * @param types the accepted record classes by their full Avro name
     */
    public Decoded decode(byte[] bytes, Map<String, Class<? extends SpecificRecord>> types) {
        return decode(bytes, types, AvroBounds.LENIENT);
    }

    /**
     * As {@link #decode(byte[], Map)}, reading the body only once {@code bounds} says Avro can read it
     * without allocating more than the value holds: a value that declares a 2 GB string is
     * {@link Decoded.Unreadable}, not an {@code OutOfMemoryError}.
     */
    public Decoded decode(byte[] bytes, Map<String, Class<? extends SpecificRecord>> types, AvroBounds bounds) {
        if (bytes == null || bytes.length < HEADER_SIZE) {
            return new Decoded.Unreadable(bytes == null ? "no value" : "value of " + bytes.length
                    + " bytes is shorter than the 5-byte wire format header");
        }
        if (bytes[0] != MAGIC_BYTE) {
            return new Decoded.Unreadable("unknown magic byte " + bytes[0] + " (the wire format starts with 0)");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer;
        try {
            writer = writerSchema(id);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            // A definite answer (RegistryWait): 40403, or a schema that is not Avro.
            return new Decoded.Unreadable("unknown schema id " + id + ": " + e.getMessage());
        }
        if (writer.getType() != Schema.Type.RECORD) {
            return new Decoded.Unreadable("schema id " + id + " is a " + writer.getType() + ", not a record");
        }
        Class<? extends SpecificRecord> type = types.get(writer.getFullName());
        if (type == null) {
            return new Decoded.UnknownType(writer.getFullName(), id);
        }
        String outOfBounds = bounds.check(writer, bytes, HEADER_SIZE);
        if (outOfBounds != null) {
            return new Decoded.Unreadable("cannot read a " + writer.getFullName() + " (schema id " + id + "): " + outOfBounds);
        }
        try {
            return new Decoded.Record(read(bytes, id, writer, type), id);
        } catch (WireFormatException e) {
            return new Decoded.Unreadable(e.getMessage());
        }
    }

    /** Reads a value of a known record type; bad bytes throw {@link WireFormatException}. */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        if (bytes == null || bytes.length < HEADER_SIZE || bytes[0] != MAGIC_BYTE) {
            throw new WireFormatException("not a value in the Confluent wire format");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        return type.cast(read(bytes, id, writerSchema(id), type));
    }

    /**
     * Reads a value into a schema given at run time rather than a generated class (tools, tests of
     * schema evolution): the writer schema is resolved into {@code readerSchema}. Bad bytes throw
     * {@link WireFormatException}.
     */
    public GenericRecord decodeGeneric(byte[] bytes, Schema readerSchema) {
        if (bytes == null || bytes.length < HEADER_SIZE || bytes[0] != MAGIC_BYTE) {
            throw new WireFormatException("not a value in the Confluent wire format");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer = writerSchema(id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, null);
        try {
            return new GenericDatumReader<GenericRecord>(writer, readerSchema).read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("cannot read a " + writer.getFullName() + " (schema id " + id + ") as "
                    + readerSchema.getFullName() + ": " + e, e);
        }
    }

    /**
     * The schema a value was written with, found by the id in its header (readers that choose how to
     * read by the writer schema: upcasting). Bad bytes or an unknown id throw {@link WireFormatException}.
     */
    public Schema writerSchemaOf(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_SIZE || bytes[0] != MAGIC_BYTE) {
            throw new WireFormatException("not a value in the Confluent wire format");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        try {
            return writerSchema(id);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            throw new WireFormatException("unknown schema id " + id + ": " + e.getMessage(), e);
        }
    }

    private Schema writerSchema(int id) {
        Schema cached = writerSchemas.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = registryWait.call("schema id " + id, () -> registry.schemaById(id));
        writerSchemas.putIfAbsent(id, schema);
        return schema;
    }

    /**
     * The generated class's model with Avro's generated coders switched on: the same bytes as Avro's
     * generic path, without its per-field lookups. Records with logical types have no generated coders
     * and take the generic path with the class's own conversions.
     */
    private static SpecificData model(Schema schema) {
        SpecificData generated = SpecificData.getForSchema(schema);
        SpecificData model = new SpecificData(generated.getClassLoader());
        generated.getConversions().forEach(model::addLogicalTypeConversion);
        model.setCustomCoders(true);
        return model;
    }

    private SpecificRecord read(byte[] bytes, int id, Schema writer, Class<? extends SpecificRecord> type) {
        ReaderKey pair = new ReaderKey(id, type);
        DatumReader<SpecificRecord> reader = readers.get(pair);
        if (reader == null) { // the capturing lambda only on a miss: it is an allocation per call
            reader = readers.computeIfAbsent(pair, key -> {
                Schema readerSchema = SpecificData.get().getSchema(type);
                return new SpecificDatumReader<>(writer, readerSchema, model(readerSchema));
            });
        }
        BinaryDecoder reuse = decoders.get();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, reuse);
        if (reuse == null) {
            decoders.set(decoder);
        }
        try {
            SpecificRecord record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new WireFormatException("trailing bytes after a " + writer.getFullName() + " (schema id " + id + ")");
            }
            return record;
        } catch (WireFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Bad bytes show up as any of EOF, index, negative size or Avro type errors.
            throw new WireFormatException("cannot read a " + writer.getFullName() + " (schema id " + id + ") as "
                    + type.getName() + ": " + e, e);
        }
    }
}
