package foldstream.ops.bench;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * What the failover part knows about its commands: when each was sent and to which partition,
 * when (and how often) each was answered, and, since the last kill, when each partition first
 * answered a command sent after the kill. The sender and the result reader call it from their own
 * threads; times are {@link System#nanoTime()}.
 */
final class FailoverTally {

    private final long[] sentAt;
    private final int[] partitionOf;
    private final long[] answeredAt;
    private final int[] answers;
    private final long[] firstAfterKill;
    private final long[] lastAnswerOn;
    private int sent;
    private long killedAt = Long.MAX_VALUE;

    FailoverTally(int capacity, int partitions) {
        sentAt = new long[capacity];
        partitionOf = new int[capacity];
        answeredAt = new long[capacity];
        answers = new int[capacity];
        firstAfterKill = new long[partitions];
        lastAnswerOn = new long[partitions];
    }

    int capacity() {
        return sentAt.length;
    }

    /** Command {@code i} (the next one: commands are numbered in the order sent) went to {@code partition}. */
    synchronized void sent(int i, int partition, long nanos) {
        if (i != sent) {
            throw new IllegalStateException("commands are recorded in order: expected " + sent + ", got " + i);
        }
        sentAt[i] = nanos;
        partitionOf[i] = partition;
        sent++;
    }

    /** A result for command {@code i} arrived; a command not (yet) recorded as sent is ignored. */
    synchronized void answered(int i, long nanos) {
        if (i < 0 || i >= sent) {
            return;
        }
        if (answers[i]++ == 0) {
            answeredAt[i] = nanos;
        }
        int p = partitionOf[i];
        lastAnswerOn[p] = Math.max(lastAnswerOn[p], nanos);
        if (sentAt[i] > killedAt && firstAfterKill[p] == 0) {
            firstAfterKill[p] = nanos;
        }
    }

    /** A worker died now: from here on, each partition's first answer to a command sent later is recorded. */
    synchronized void killed(long nanos) {
        killedAt = nanos;
        Arrays.fill(firstAfterKill, 0);
    }

    /** When {@code partition} first answered a command sent after the last kill, if it has. */
    synchronized OptionalLong firstAnswerAfterKill(int partition) {
        return firstAfterKill[partition] == 0 ? OptionalLong.empty() : OptionalLong.of(firstAfterKill[partition]);
    }

    /** When {@code partition} last answered anything (0: never). */
    synchronized long lastAnswerOn(int partition) {
        return lastAnswerOn[partition];
    }

    synchronized int sent() {
        return sent;
    }

    /**
     * When the last of the commands sent up to {@code nanos} was answered: empty while one of them is
     * unanswered.
     */
    synchronized OptionalLong allAnsweredOfSentBy(long nanos) {
        long last = 0;
        for (int i = 0; i < sent && sentAt[i] <= nanos; i++) {
            if (answers[i] == 0) {
                return OptionalLong.empty();
            }
            last = Math.max(last, answeredAt[i]);
        }
        return OptionalLong.of(last);
    }

    /** Commands sent but never answered. */
    synchronized int unanswered() {
        int count = 0;
        for (int i = 0; i < sent; i++) {
            count += answers[i] == 0 ? 1 : 0;
        }
        return count;
    }

    /** Commands answered more than once: under exactly-once, none. */
    synchronized int doubled() {
        int count = 0;
        for (int i = 0; i < sent; i++) {
            count += answers[i] > 1 ? 1 : 0;
        }
        return count;
    }
}
