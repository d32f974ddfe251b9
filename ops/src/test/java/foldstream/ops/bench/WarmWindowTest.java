package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmWindowTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void withoutAWarmUpEveryAnswerButTheFirstIsTimedFromTheFirst() {
        WarmWindow window = new WarmWindow(Duration.ZERO);
        assertThat(window.arrived(5 * SECOND, 500)).isTrue();
        assertThat(window.arrived(6 * SECOND, 1_000)).isFalse();
        window.arrived(7 * SECOND, 2_001);

        assertThat(window.timed()).isEqualTo(2_000);
        assertThat(window.perSecond()).isEqualTo(1_000.0);
    }

    @Test
    void answersWithinTheWarmUpAreNotTimed() {
        WarmWindow window = new WarmWindow(Duration.ofSeconds(10));
        assertThat(window.arrived(0, 100_000)).isFalse();
        assertThat(window.arrived(9 * SECOND, 400_000)).isFalse();
        // The first batch at or after 10 s opens the window: its arrival is the origin, all of it but one is timed.
        assertThat(window.arrived(10 * SECOND, 450_001)).isTrue();
        assertThat(window.arrived(12 * SECOND, 600_000)).isFalse();
        window.arrived(14 * SECOND, 800_000);

        assertThat(window.timed()).isEqualTo(400_000 - 1);
        assertThat(window.perSecond()).isEqualTo(399_999 / 4.0);
    }

    @Test
    void aRunShorterThanTheWarmUpSaysSo() {
        WarmWindow window = new WarmWindow(Duration.ofSeconds(10));
        window.arrived(0, 1_000);
        window.arrived(3 * SECOND, 5_000);

        assertThat(window.timed()).isZero();
        assertThatThrownBy(window::perSecond).isInstanceOf(IllegalStateException.class).hasMessageContaining("--warm-up");
        assertThatThrownBy(() -> new WarmWindow(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
