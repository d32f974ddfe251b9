package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartTimelineTest {

    @Test
    void countsFromTheJvmsStart() {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long before = System.currentTimeMillis();
        long elapsed = StartTimeline.ofThisJvm("app").elapsedMillis();
        long after = System.currentTimeMillis();
        // The JVM's own record of its start, on the wall clock: not the process's start of the
        // operating system's, which on Linux could read up to a second early (whole-second boot time).
        // (Not the JVM's uptime either: that counts on another clock from a moment that under load
        // lay 0.2 s away.)
        assertThat(elapsed).isBetween(before - jvmStart, after - jvmStart);
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
