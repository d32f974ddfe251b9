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
        // The JVM's own record of its start, the one its uptime counts from: not the process's start
        // of the operating system's, which on Linux could read up to a second early (whole-second boot time).
        assertThat(elapsed).isBetween(uptimeBefore - 100, uptimeAfter + 100);
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
