package foldstream.worker.runtime;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * A short wall-clock punctuation that runs only while its task has work for it (a rebuild, commands
 * held meanwhile). Kafka Streams marks a task as needing a commit after every punctuation, so a
 * short tick left running on an idle task commits that task (its stores flushed, its offsets sent)
 * at every commit interval: a worker of 20 aggregate types committed its 120 tasks ten times a
 * second whether they had commands or not.
 */
final class WorkTick {

    private final ProcessorContext<?, ?> context;
    private final Duration every;
    private final Punctuator work;
    private Cancellable scheduled;

    WorkTick(ProcessorContext<?, ?> context, Duration every, Punctuator work) {
        this.context = context;
        this.every = every;
        this.work = work;
    }

    /** Ticks from now on (again); nothing when it already ticks. */
    void start() {
        if (scheduled == null) {
            scheduled = context.schedule(every, PunctuationType.WALL_CLOCK_TIME, work);
        }
    }

    /** No more ticks until {@link #start()}; callable from within a tick. */
    void stop() {
        if (scheduled != null) {
            scheduled.cancel();
            scheduled = null;
        }
    }
}
