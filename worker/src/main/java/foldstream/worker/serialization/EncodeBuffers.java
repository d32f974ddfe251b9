package foldstream.worker.serialization;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;

/**
 * Where Avro records are written: one growable buffer and one binary encoder per thread, reused for
 * every record, and the record's bytes copied out once. A new {@code ByteArrayOutputStream} and
 * encoder per record grew its array several times for an ordinary result or snapshot and took a lock
 * on every byte; the stream thread writes four records per command.
 *
 * <pre>{@code
 * EncodeBuffers buffers = new EncodeBuffers();
 * byte[] bytes = buffers.write(new byte[] {FORMAT}, snapshot, writer);   // FORMAT, then the record
 * }</pre>
 */
public final class EncodeBuffers {

    /** A thread keeps a buffer up to this size; one large record does not pin its size for the thread's life. */
    static final int KEPT_BYTES = 64 * 1024;

    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

    /** {@code header}, then {@code record} in Avro binary, as a new array. */
    public <R> byte[] write(byte[] header, R record, DatumWriter<R> writer) throws IOException {
        Buffer buffer = buffers.get();
        buffer.count = 0;
        try {
            buffer.write(header, 0, header.length);
            writer.write(record, buffer.encoder); // a direct encoder: every byte is in the buffer once it returns
            return Arrays.copyOf(buffer.bytes, buffer.count);
        } finally {
            if (buffer.bytes.length > KEPT_BYTES) {
                buffers.remove();
            }
        }
    }

    /** Unsynchronized, unlike {@code ByteArrayOutputStream}: a buffer belongs to one thread. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[256];
        private int count;
        private final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(this, null);

        @Override
        public void write(int b) {
            room(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            room(length);
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        private void room(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }
    }
}
