package foldstream.worker.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * An {@link EventLog.Reader} that polls its partition on a thread of its own, a few polls ahead of
 * the caller: the fetching and the parsing of records (a quarter of a pure event sourcing rebuild's
 * stream thread in a profile) then run on another core while the stream thread folds the events
 * polled before. Reading in order, as a rebuild does, is served from what was read ahead; a read
 * from anywhere else stops the thread, seeks and starts it again there. The consumer belongs to
 * the thread while it runs, and to the caller otherwise.
 *
 * <pre>{@code
 * try (EventLog.Reader reader = new ReadAhead(consumer, partition, end)) {
 *     EventLog.Batch first = reader.read(0, 10_000);
 *     EventLog.Batch second = reader.read(first.next(), 10_000);
 * }
 * }</pre>
 */
final class ReadAhead implements EventLog.Reader {

    private static final Duration POLL = Duration.ofMillis(500);
    /** Polls waiting for the caller, each at most a poll's worth of records ({@code max.poll.records}). */
    private static final int POLLS_AHEAD = 2;
    /** How often a thread that waits rechecks whether it should stop (or whether the other side died). */
    private static final long WAIT_MILLIS = 100;

    /** What the thread hands over: records up to an offset, or why it stopped. */
    private sealed interface Polled {
        record Records(List<ConsumerRecord<byte[], byte[]>> records, long next) implements Polled {
        }

        record Failed(Throwable error) implements Polled {
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final long end;
    private final java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> prepare;
    private final BlockingQueue<Polled> ahead = new ArrayBlockingQueue<>(POLLS_AHEAD);
    private Thread thread;
    private volatile boolean stopping;
    /** The offset the next batch from the thread starts at. */
    private long expected = -1;

    /**
     * @param consumer assigned to {@code partition} alone; closed with this reader
     * @param end the offset to read up to (the last stable offset when the reader was opened)
     */
    ReadAhead(Consumer<byte[], byte[]> consumer, TopicPartition partition, long end) {
        this(consumer, partition, end, record -> { });
    }

    /**
     * As above, running {@code prepare} on each record on the reading thread before it is handed
     * over: work on a record that the caller would otherwise do on its own thread.
     */
    ReadAhead(Consumer<byte[], byte[]> consumer, TopicPartition partition, long end,
              java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> prepare) {
        this.consumer = consumer;
        this.partition = partition;
        this.end = end;
        this.prepare = prepare;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public EventLog.Batch read(long from, int max) {
        if (from >= end) {
            return new EventLog.Batch(List.of(), from);
        }
        if (thread == null || from != expected) {
            restartAt(from);
        }
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(Math.min(max, 10_000));
        long next = from;
        // Whole polls only (a poll's records are not split): at most max plus one poll's worth.
        while (batch.size() < max && next < end) {
            Polled polled = take();
            if (polled instanceof Polled.Failed failed) {
                stop(); // the reader starts over, at the same offset, if it is asked again
                expected = -1;
                throw rethrown(failed.error());
            }
            Polled.Records records = (Polled.Records) polled;
            batch.addAll(records.records());
            next = records.next();
            expected = next;
        }
        return new EventLog.Batch(batch, next);
    }

    private Polled take() {
        try {
            while (true) {
                Polled polled = ahead.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (polled != null) {
                    return polled;
                }
                if (!thread.isAlive() && ahead.isEmpty()) {
                    throw new IllegalStateException("the reader of " + partition + " stopped without a word");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    private void restartAt(long from) {
        stop();
        consumer.seek(partition, from);
        expected = from;
        stopping = false;
        long start = from;
        thread = new Thread(() -> pollFrom(start), "foldstream-read-ahead-" + partition);
        thread.setDaemon(true);
        thread.start();
    }

    /** The thread: polls from {@code position} to the end, handing each poll over, until stopped. */
    private void pollFrom(long position) {
        try {
            while (!stopping && position < end) {
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                long next;
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        if (record.offset() < end) {
                            prepare.accept(record);
                            records.add(record);
                        }
                    }
                    // Past transaction markers and aborted records too, which a poll returns nothing for.
                    next = Math.min(consumer.position(partition), end);
                } catch (WakeupException e) {
                    // Only stop() wakes the consumer: now, or before this thread started (a wakeup
                    // nobody consumed then). Nothing was returned, so the position is where it was.
                    consumer.seek(partition, position);
                    continue;
                }
                if (next > position || !records.isEmpty()) {
                    hand(new Polled.Records(records, next));
                    position = next;
                }
            }
        } catch (Throwable e) {
            hand(new Polled.Failed(e));
        }
    }

    /** Waits for room, unless told to stop meanwhile. */
    private void hand(Polled polled) {
        try {
            while (!stopping) {
                if (ahead.offer(polled, WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread, if one runs, and drops what it read ahead: the consumer is the caller's again. */
    private void stop() {
        if (thread == null) {
            return;
        }
        stopping = true;
        consumer.wakeup();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        thread = null;
        ahead.clear();
    }

    private static RuntimeException rethrown(Throwable error) {
        if (error instanceof RuntimeException runtime) {
            return runtime;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return new IllegalStateException(error);
    }

    @Override
    public void close() {
        stop();
        consumer.close();
    }
}
