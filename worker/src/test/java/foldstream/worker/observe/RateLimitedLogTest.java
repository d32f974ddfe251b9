package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    @Test
    void aFloodIsCutToTheBurstAndTheNextLineSaysHowManyWereSuppressed() {
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedLog log = new RateLimitedLog(3, 10_000, now::get);

        assertThat(log.admit()).isZero();
        assertThat(log.admit()).isZero();
        assertThat(log.admit()).isZero();
        for (int i = 0; i < 500; i++) {
            assertThat(log.admit()).isEqualTo(-1);
        }
        now.addAndGet(10_000);
        assertThat(log.admit()).isEqualTo(500);
        assertThat(log.admit()).isZero();
        assertThat(RateLimitedLog.suffix(500)).isEqualTo(" (500 similar warnings suppressed)");
        assertThat(RateLimitedLog.suffix(0)).isEmpty();
    }
}
