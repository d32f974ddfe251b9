package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.Incremented;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentEventsTest {

    private final AtomicLong commits = new AtomicLong(4);
    private final RecentEvents recent = new RecentEvents(100_000, commits::get);

    private static RecentEvents.Event event(long version) {
        return new RecentEvents.Event("c1", version, new Incremented(1, version), 0L, "cmd-" + version);
    }

    @Test
    void keepsOnlyTheEventsSinceTheThreadsLastCommit() {
        for (long v = 1; v <= 1_000; v++) {
            recent.add(event(v));
        }
        assertThat(recent.all()).hasSize(1_000);
        assertThat(recent.all()).hasSize(1_000); // looking does not drop anything

        commits.incrementAndGet(); // the transaction holding those thousand committed
        assertThat(recent.all()).isEmpty();

        recent.add(event(1_001));
        recent.add(event(1_002));
        assertThat(recent.all()).extracting(RecentEvents.Event::version).containsExactly(1_001L, 1_002L);
    }

    @Test
    void aLongLivedTaskHoldsOneTransactionsWorthNotItsHistory() {
        for (long v = 1; v <= 50_000; v++) {
            recent.add(event(v));
            if (v % 100 == 0) {
                commits.incrementAndGet();
            }
        }
        assertThat(recent.size()).isZero();
        recent.add(event(50_001));
        assertThat(recent.size()).isEqualTo(1);
    }
}
