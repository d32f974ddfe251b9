package foldstream.ops.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Offers commands to a running processor at a fixed rate, as independent clients would (each sent
 * when it is due, whatever the answers do), and times each from its send to its result on the
 * output topic, read as a downstream service reads it ({@code read_committed}).
 *
 * <pre>{@code
 * LatencySamples run = PacedLoad.offer(bootstrap, producer, output, commands, load, 0, load.size(), 2_000, 0,
 *         Duration.ofSeconds(120), child, (done, total) -> { });
 * }</pre>
 */
final class PacedLoad {

    private PacedLoad() {
    }

    /**
     * Sends commands {@code from} to {@code from + count} of {@code load}, {@code rate} a second,
     * then waits until all are answered or {@code drainLimit} has passed; an unanswered command's
     * latency is 0.
     *
     * @param warmUp how many of the first commands the figures leave out
     * @param progress told (commands sent or answered, of count) now and then
     */
    static LatencySamples offer(String bootstrap, KafkaProducer<byte[], byte[]> producer, String output, String commandsTopic,
                                CommandLoad load, int from, int count, int rate, int warmUp, Duration drainLimit,
                                ChildProcess child, BiConsumer<String, Integer> progress) throws InterruptedException {
        long[] sentAt = new long[count];
        long[] latency = new long[count];
        AtomicInteger answered = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        // From the end: the topic may hold earlier runs' answers; positioned before the first send.
        ResultWatch watch = new ResultWatch(bootstrap, output, true);
        long start = System.nanoTime();
        Thread watcher = new Thread(() -> {
            try (watch) {
                watch.watch(done::get, (id, now) -> {
                    int i = load.indexOf(id, "l") - from;
                    if (i >= 0 && i < count && latency[i] == 0) {
                        latency[i] = Math.max(1, now - start - sentAt[i]);
                        answered.incrementAndGet();
                    }
                });
            }
        }, "bench-latency-watch");
        watcher.start();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            sentAt[i] = System.nanoTime() - start;
            producer.send(load.record(commandsTopic, from + i));
            if (i % rate == 0) {
                progress.accept("offered", i);
            }
        }
        producer.flush();
        long deadline = System.nanoTime() + drainLimit.toNanos();
        while (answered.get() < count && System.nanoTime() < deadline) {
            progress.accept("answered", answered.get());
            child.checkAlive();
            LockSupport.parkNanos(50_000_000L);
        }
        done.set(true);
        watcher.join();
        return new LatencySamples(sentAt, latency, warmUp);
    }
}
