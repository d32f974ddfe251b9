package foldstream.worker.process.runtime;

import foldstream.protocol.ProcessSnapshot;
import foldstream.worker.serialization.EncodeBuffers;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The bytes of a process's instance store (and its changelog): a format byte, then
 * {@link ProcessSnapshot} in plain Avro binary, as the aggregate snapshots are kept. The process's own
 * state inside is in the registry wire format, so it evolves like any other record; tools read the
 * envelope without a registry. Thread-safe.
 */
public final class ProcessSnapshotCodec {

    private static final byte FORMAT_1 = 1;
    private static final byte[] FORMAT_HEADER = {FORMAT_1};

    private final DatumWriter<ProcessSnapshot> writer = new SpecificDatumWriter<>(ProcessSnapshot.class);
    private final DatumReader<ProcessSnapshot> reader = new SpecificDatumReader<>(ProcessSnapshot.class);
    private final EncodeBuffers buffers = new EncodeBuffers();

    public byte[] encode(ProcessSnapshot snapshot) {
        try {
            synchronized (writer) {
                return buffers.write(FORMAT_HEADER, snapshot, writer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ProcessSnapshot decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != FORMAT_1) {
            throw new IllegalStateException("process instance in an unknown format "
                    + (bytes == null || bytes.length == 0 ? "(empty)" : bytes[0]));
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
        try {
            synchronized (reader) {
                return reader.read(null, decoder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
