package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * The rebuild tick exists only while there is work: Kafka Streams commits a task after each of its
 * punctuations, so a tick left on an idle task would make every commit interval a transaction.
 */
class WorkTickerTest {

    private final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
    private final AtomicInteger ticks = new AtomicInteger();
    private final WorkTicker ticker = new WorkTicker(context, Duration.ofMillis(5), ticks::incrementAndGet);

    @Test
    void schedulesNothingUntilStartedAndOnceHoweverOftenStarted() {
        assertThat(context.scheduledPunctuators()).isEmpty();

        ticker.start();
        ticker.start();

        assertThat(context.scheduledPunctuators()).hasSize(1);
        MockProcessorContext.CapturedPunctuator tick = context.scheduledPunctuators().get(0);
        assertThat(tick.getInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(tick.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        tick.getPunctuator().punctuate(0);
        assertThat(ticks).hasValue(1);
        assertThat(ticker.running()).isTrue();
    }

    @Test
    void stoppingCancelsTheTickAndStartingAgainSchedulesANewOne() {
        ticker.start();
        MockProcessorContext.CapturedPunctuator first = context.scheduledPunctuators().get(0);

        ticker.stop();
        ticker.stop();

        assertThat(first.cancelled()).isTrue();
        assertThat(ticker.running()).isFalse();
        ticker.start();
        assertThat(context.scheduledPunctuators()).hasSize(2);
        assertThat(context.scheduledPunctuators().get(1).cancelled()).isFalse();
    }
}
