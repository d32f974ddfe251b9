package foldstream.worker.observe;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context on the wire contract: a command's {@code traceparent} (and {@code tracestate})
 * header is carried to its events and its result; a command without a valid one gets a new trace
 * (a new random trace id, sampled).
 *
 * <pre>{@code
 * TraceHeaders.Context trace = TraceHeaders.of(record.headers());
 * trace.addTo(eventHeaders);
 * String traceId = trace.traceId();   // for the logs
 * }</pre>
 */
public final class TraceHeaders {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TraceHeaders() {
    }

    /** The trace context to carry: a command's own, as bytes, or a new one. */
    public record Context(byte[] traceparent, byte[] tracestate) {
        /** The 32 hex digits of the trace id. */
        public String traceId() {
            return new String(traceparent, 3, 32, StandardCharsets.US_ASCII);
        }

        public void addTo(Headers headers) {
            headers.add(TRACEPARENT, traceparent);
            if (tracestate != null) {
                headers.add(TRACESTATE, tracestate);
            }
        }
    }

    public static Context of(Headers headers) {
        Header parent = headers.lastHeader(TRACEPARENT);
        if (parent != null && valid(parent.value())) {
            Header state = headers.lastHeader(TRACESTATE);
            return new Context(parent.value(), state == null ? null : state.value());
        }
        return fresh();
    }

    /** A new trace: {@code 00-<random trace id>-<random parent id>-01}. */
    public static Context fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] text = new char[55];
        text[0] = '0';
        text[1] = '0';
        text[2] = '-';
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while (high == 0 && low == 0);
        hex(high, text, 3);
        hex(low, text, 19);
        text[35] = '-';
        long span;
        do {
            span = random.nextLong();
        } while (span == 0);
        hex(span, text, 36);
        text[52] = '-';
        text[53] = '0';
        text[54] = '1';
        return new Context(new String(text).getBytes(StandardCharsets.US_ASCII), null);
    }

    private static void hex(long value, char[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /**
     * Version 00's form {@code 00-<32 hex>-<16 hex>-<2 hex>}, ids not all zero; a later version is read
     * by its first 55 characters, as the specification asks. Version ff is invalid.
     */
    static boolean valid(byte[] value) {
        if (value == null || value.length < 55 || (value.length > 55 && (value[0] == '0' && value[1] == '0'))) {
            return false;
        }
        if (value.length > 55 && value[55] != '-') {
            return false;
        }
        if (!isHex(value, 0, 2) || (value[0] == 'f' && value[1] == 'f') || value[2] != '-' || value[35] != '-' || value[52] != '-') {
            return false;
        }
        return isHex(value, 3, 32) && !zeros(value, 3, 32) && isHex(value, 36, 16) && !zeros(value, 36, 16) && isHex(value, 53, 2);
    }

    private static boolean isHex(byte[] value, int from, int length) {
        for (int i = from; i < from + length; i++) {
            byte b = value[i];
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(byte[] value, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (value[i] != '0') {
                return false;
            }
        }
        return true;
    }
}
