package foldstream.worker.runtime;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Says, before anything is forwarded, whether a record fits what the producer will send: the
 * producer's {@code max.request.size} (Kafka's default 1 MiB; set with
 * {@code --property producer.max.request.size=...}), against an upper bound of the record's size in
 * a batch of its own. Under {@code exactly_once_v2} a record the producer or the broker refuses
 * aborts the whole transaction, and the command would be processed again, forever; checked first,
 * it becomes a {@code FAILED} result instead, with nothing written.
 *
 * <p>Kafka's own defaults agree with this bound (a topic's {@code max.message.bytes} defaults to
 * 1 MiB plus 12 bytes); a topic configured with a smaller limit needs {@code max.request.size}
 * lowered to match.
 */
final class OutputSizeGuard {

    /** A record batch's header, and a record's own fields at their largest varint sizes. */
    private static final int BATCH_OVERHEAD = 61;
    private static final int RECORD_OVERHEAD = 1 + 10 + 5 + 5 + 5 + 5 + 5;
    private static final int HEADER_OVERHEAD = 5 + 5;

    private final int maxBytes;

    OutputSizeGuard(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** From the application's configuration: the producer's {@code max.request.size}, Kafka's default when not given. */
    static OutputSizeGuard of(Map<String, Object> appConfigs) {
        Object given = appConfigs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (given == null) {
            given = appConfigs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        return new OutputSizeGuard(given == null ? 1024 * 1024 : Integer.parseInt(String.valueOf(given).trim()));
    }

    int maxBytes() {
        return maxBytes;
    }

    /** An upper bound of the record's size as the producer counts it. */
    static long size(byte[] key, byte[] value, Headers headers) {
        return size(length(key), length(value), headers);
    }

    static long size(int keyBytes, int valueBytes, Headers headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + keyBytes + valueBytes;
        if (headers != null) {
            for (Header header : headers) {
                size += HEADER_OVERHEAD + ContractHeaders.utf8(header.key()).length + length(header.value());
            }
        }
        return size;
    }

    /**
     * An upper bound of {@link #size} that encodes nothing: a header key's UTF-8 form is at most three
     * bytes per Java char. Checked first on every record; the exact size only when this one is over.
     */
    static long roughSize(int keyBytes, int valueBytes, Headers headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + keyBytes + valueBytes;
        if (headers != null) {
            for (Header header : headers) {
                size += HEADER_OVERHEAD + 3L * header.key().length() + length(header.value());
            }
        }
        return size;
    }

    boolean fits(byte[] key, byte[] value, Headers headers) {
        return roughSize(length(key), length(value), headers) <= maxBytes || size(key, value, headers) <= maxBytes;
    }

    /** Why it does not fit, naming what it is: {@code null} when it fits. */
    String problem(String what, byte[] key, byte[] value, Headers headers) {
        return problem(what, length(key), length(value), headers);
    }

    String problem(String what, int keyBytes, int valueBytes, Headers headers) {
        if (roughSize(keyBytes, valueBytes, headers) <= maxBytes) {
            return null;
        }
        long size = size(keyBytes, valueBytes, headers);
        return size <= maxBytes ? null
                : what + " would be " + size + " bytes, over the producer's max.request.size of " + maxBytes;
    }

    /** As above for a record without headers whose key is {@code key} as UTF-8 (a changelog record). */
    String problem(String what, String key, int valueBytes) {
        if (roughSize(3 * key.length(), valueBytes, null) <= maxBytes) {
            return null;
        }
        return problem(what, ContractHeaders.utf8(key).length, valueBytes, null);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
