package foldstream.worker.runtime;

import foldstream.protocol.AggregateSnapshot;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.EncodeBuffers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bytes of the snapshot store: a format byte, then {@link AggregateSnapshot} in plain Avro
 * binary. The state inside is already in the registry wire format (subject {@code S-state-value}),
 * so it can evolve like any other record; the envelope is Foldstream's own and versioned by the
 * format byte.
 */
public final class SnapshotCodec {

    private static final byte FORMAT_1 = 1;
    private static final byte[] FORMAT_HEADER = {FORMAT_1};

    private final DatumWriter<AggregateSnapshot> writer = new SpecificDatumWriter<>(AggregateSnapshot.class);
    private final DatumReader<AggregateSnapshot> reader = new SpecificDatumReader<>(AggregateSnapshot.class);
    private final EncodeBuffers buffers = new EncodeBuffers();

    public byte[] encode(AggregateSnapshot snapshot) {
        try {
            return buffers.write(FORMAT_HEADER, snapshot, writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stored snapshot with its state read into the state class. */
    public <S extends SpecificRecord> Snapshot<S> decode(byte[] bytes, AvroWireCodec stateCodec, Class<S> stateClass) {
        AggregateSnapshot stored = decode(bytes);
        ByteBuffer buffer = stored.getState();
        byte[] state = new byte[buffer.remaining()];
        buffer.get(state);
        return new Snapshot<>(stored.getVersion(), stateCodec.decode(state, stateClass), stored.getMeta());
    }

    public AggregateSnapshot decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != FORMAT_1) {
            throw new IllegalStateException("snapshot in an unknown format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
