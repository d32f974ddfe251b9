package foldstream.worker.runtime;

import static foldstream.worker.runtime.ContractHeaders.utf8;

import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The copy of an unreadable command that goes to {@code S-dlq}: the raw key, value and headers plus
 * {@code dlq-error} and {@code dlq-source}. When that copy would be over what the producer sends
 * (a command near the broker's limit grows by the two headers), it is cut to fit rather than
 * refused: first the value keeps only its beginning, then, if the headers alone are too large,
 * the original headers and the key are left out. {@value ContractHeaders#DLQ_TRUNCATED} then says
 * what was cut, with the original sizes. The command's {@code MALFORMED} result is written either way.
 */
record DeadLetter(byte[] key, byte[] value, Headers headers) {

    static DeadLetter of(Record<byte[], byte[]> record, String problem, String source, OutputSizeGuard outputs) {
        Headers headers = new RecordHeaders(record.headers().toArray())
                .add(ContractHeaders.DLQ_ERROR, utf8(problem))
                .add(ContractHeaders.DLQ_SOURCE, utf8(source));
        byte[] key = record.key();
        byte[] value = record.value();
        if (outputs.fits(key, value, headers)) {
            return new DeadLetter(key, value, headers);
        }
        int valueBytes = value == null ? 0 : value.length;
        String note = "value cut from " + valueBytes + " bytes to ";
        byte[] kept = cut(key, value, withNote(headers, note + valueBytes), outputs);
        if (kept != null) {
            return new DeadLetter(key, kept, withNote(headers, note + kept.length));
        }
        // The headers or the key alone are too large: keep only Foldstream's own headers.
        long headerBytes = 0;
        for (Header header : record.headers()) {
            headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        Headers own = new RecordHeaders()
                .add(ContractHeaders.DLQ_ERROR, utf8(problem.length() > 1000 ? problem.substring(0, 1000) + "..." : problem))
                .add(ContractHeaders.DLQ_SOURCE, utf8(source));
        String dropped = "key (" + (key == null ? 0 : key.length) + " bytes) and headers (" + headerBytes + " bytes) left out; " + note;
        kept = cut(null, value, withNote(own, dropped + valueBytes), outputs);
        return new DeadLetter(null, kept == null ? new byte[0] : kept, withNote(own, dropped + (kept == null ? 0 : kept.length)));
    }

    private static Headers withNote(Headers headers, String note) {
        Headers copy = new RecordHeaders(headers.toArray());
        copy.remove(ContractHeaders.DLQ_TRUNCATED);
        return copy.add(ContractHeaders.DLQ_TRUNCATED, utf8(note));
    }

    /** The longest beginning of {@code value} that fits with this key and these headers; null when not even an empty one does. */
    private static byte[] cut(byte[] key, byte[] value, Headers headers, OutputSizeGuard outputs) {
        long room = outputs.maxBytes() - OutputSizeGuard.size(key, new byte[0], headers);
        if (room < 0) {
            return null;
        }
        int length = value == null ? 0 : (int) Math.min(value.length, room);
        return value == null ? new byte[0] : Arrays.copyOf(value, length);
    }
}
