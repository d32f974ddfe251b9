package foldstream.worker.runtime;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * A wall-clock punctuation that is scheduled only while there is work for it (a rebuild, commands
 * held back), and cancelled when that work is done. Kafka Streams marks a task as needing a commit
 * after every punctuation, so a tick left running on an idle task makes every task commit its
 * stores and offsets at every commit interval: with {@code commit.interval.ms=10}, a transaction
 * every 10 ms whether or not a command came.
 *
 * <pre>{@code
 * WorkTicker ticker = new WorkTicker(context, Duration.ofMillis(5), this::workOnce);
 * ticker.start(); // a rebuild began
 * ticker.stop();  // called from the tick once nothing is left to do
 * }</pre>
 */
final class WorkTicker {

    private final ProcessorContext<?, ?> context;
    private final Duration every;
    private final Runnable tick;
    private Cancellable scheduled;

    WorkTicker(ProcessorContext<?, ?> context, Duration every, Runnable tick) {
        this.context = context;
        this.every = every;
        this.tick = tick;
    }

    /** Ticks from now on, if it does not already. */
    void start() {
        if (scheduled == null) {
            scheduled = context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> tick.run());
        }
    }

    /** No more ticks until the next {@link #start()}. */
    void stop() {
        if (scheduled != null) {
            scheduled.cancel();
            scheduled = null;
        }
    }

    boolean running() {
        return scheduled != null;
    }
}
