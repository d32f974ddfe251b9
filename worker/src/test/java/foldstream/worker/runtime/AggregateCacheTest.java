package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AggregateCacheTest {

    private long now = 1_000;
    private final AggregateCache<String> cache = new AggregateCache<>(3, Duration.ofSeconds(10), () -> now);

    private static Snapshot<String> at(long version) {
        return new Snapshot<>(version, "state " + version, null);
    }

    @Test
    void keepsAtMostItsBoundDroppingTheLeastRecentlyUsed() {
        cache.put("a", at(1));
        cache.put("b", at(1));
        cache.put("c", at(1));
        assertThat(cache.get("a")).isNotNull();
        cache.put("d", at(1));

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isNotNull();
    }

    @Test
    void dropsEntriesIdleForLongerThanTheTtl() {
        cache.put("a", at(1));
        cache.put("b", at(1));
        now += 6_000;
        assertThat(cache.get("a")).isEqualTo(at(1));
        now += 6_000;
        assertThat(cache.get("b")).as("idle 12 s").isNull();
        assertThat(cache.get("a")).as("used 6 s ago").isNotNull();

        cache.put("c", at(2));
        now += 11_000;
        cache.evictIdle();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aPutReplacesAndClearEmpties() {
        cache.put("a", at(1));
        cache.put("a", at(2));
        assertThat(cache.get("a").version()).isEqualTo(2);
        cache.clear();
        assertThat(cache.get("a")).isNull();
    }

    @Test
    void sizeZeroCachesNothing() {
        AggregateCache<String> off = new AggregateCache<>(0, Duration.ofSeconds(10), () -> now);
        off.put("a", at(1));
        assertThat(off.get("a")).isNull();
    }
}
