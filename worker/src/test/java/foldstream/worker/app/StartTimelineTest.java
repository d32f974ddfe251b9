package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartTimelineTest {

    @Test
    void countsFromTheJvmsStart() {
        long uptimeBefore = ManagementFactory.getRuntimeMXBean().getUptime();
        long elapsed = StartTimeline.ofThisJvm("app").elapsedMillis();
        long uptimeAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        // The process's start as the operating system records it (10 ms ticks), the JVM's own a little later.
        assertThat(elapsed).isBetween(uptimeBefore - 1_000, uptimeAfter + 1_000);
    }

    @Test
    void phasesAreTimedFromTheOrigin() {
        AtomicLong now = new AtomicLong(10_500);
        StartTimeline timeline = new StartTimeline("app", 10_000, now::get);
        assertThat(timeline.elapsedMillis()).isEqualTo(500);
        timeline.mark("schemas and topics checked");
        now.set(12_250);
        timeline.running();
        timeline.running();
        assertThat(timeline.elapsedMillis()).isEqualTo(2_250);
    }
}
