package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class OutputSizeGuardTest {

    private static final byte[] KEY = "acct-1".getBytes(StandardCharsets.UTF_8);
    /** Header keys of three-byte characters: the quick bound and the exact size agree on them. */
    private static final String WIDE_KEY = "€€€€€€€€€€";
    /** Header keys of one-byte characters: the quick bound counts each three times. */
    private static final String NARROW_KEY = "command-id";

    @Test
    void theQuickBoundIsNeverBelowTheExactSize() {
        Headers headers = new RecordHeaders().add(WIDE_KEY, new byte[3]).add(NARROW_KEY, new byte[5]).add("ü", null);
        assertThat(OutputSizeGuard.roughSize(KEY.length, 100, headers))
                .isGreaterThanOrEqualTo(OutputSizeGuard.size(KEY, new byte[100], headers));
    }

    @Test
    void aRecordOverTheQuickBoundButWithinTheLimitFits() {
        Headers headers = new RecordHeaders().add(NARROW_KEY, new byte[1]);
        long exactWithoutValue = OutputSizeGuard.size(KEY, new byte[0], headers);
        OutputSizeGuard guard = new OutputSizeGuard(1_000);
        byte[] value = new byte[(int) (1_000 - exactWithoutValue)]; // exactly at the limit
        assertThat(OutputSizeGuard.roughSize(KEY.length, value.length, headers)).isGreaterThan(1_000);
        assertThat(guard.problem("the result", KEY, value, headers)).isNull();
        assertThat(guard.fits(KEY, value, headers)).isTrue();
        assertThat(guard.problem("the result", KEY, new byte[value.length + 1], headers))
                .isEqualTo("the result would be 1001 bytes, over the producer's max.request.size of 1000");
        assertThat(guard.fits(KEY, new byte[value.length + 1], headers)).isFalse();
    }

    @Test
    void aChangelogRecordIsMeasuredByItsKeysUtf8Bytes() {
        OutputSizeGuard guard = new OutputSizeGuard(1_000);
        String key = "ü".repeat(10); // 20 bytes as UTF-8, 30 by the quick bound
        int atLimit = (int) (1_000 - OutputSizeGuard.size(key.getBytes(StandardCharsets.UTF_8), new byte[0], null));
        assertThat(guard.problem("the snapshot's changelog record", key, atLimit)).isNull();
        assertThat(guard.problem("the snapshot's changelog record", key, atLimit + 1))
                .isEqualTo("the snapshot's changelog record would be 1001 bytes, over the producer's max.request.size of 1000");
    }
}
