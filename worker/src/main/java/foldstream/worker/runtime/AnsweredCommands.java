package foldstream.worker.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The commands one task has answered, with their results, for the idempotency window: a point
 * lookup per command (RocksDB's bloom filters make the usual miss cheap). An answer is kept for
 * {@code retention} by the worker's own clock, from when it was stored: nothing a producer chooses
 * (a record stamped far in the future, or negative) moves another command's window. Older answers
 * count as absent at once and are deleted by a sweep that walks the store a slice at a time, at
 * least twice as fast as answers arrive. Once a whole pass has seen the oldest answer, sweeping
 * waits until that one can have expired.
 *
 * <p>Keys are the aggregate id, length-prefixed, then the command id ({@code "3:abcC-1"} for
 * aggregate {@code abc} and command {@code C-1}): a command id is an idempotency key per aggregate,
 * and no two pairs of ids share a key. Stores written before this format joined the two with a NUL;
 * such answers are still found (one more lookup on a miss) until a complete sweep has seen none
 * left, that is one retention after the upgrade at most.
 *
 * <p>The store has no changelog: every answer is also the result on {@code S-results}, and
 * {@link ResultsReplay} writes them back from there when the store cannot be trusted
 * ({@link AnswerEpochs}). The epoch that says so lives under {@link #EPOCH_KEY}, a key neither
 * format can produce (both start with the aggregate id or its length, never a NUL); the sweep
 * passes it by.
 */
final class AnsweredCommands {

    private static final int MIN_SWEEP = 1_000;
    /** Where the store keeps its epoch ({@link AnswerEpochs}). */
    static final String EPOCH_KEY = "\u0000epoch";

    private final KeyValueStore<String, byte[]> store;
    private final long retentionMillis;
    private final LongSupplier clock;
    private int answeredSinceSweep;
    private String sweepFrom;
    /** Oldest stored time seen by the current pass, and remembered since it began. */
    private long passOldest = Long.MAX_VALUE;
    /** Oldest stored time in the store, as of the last complete pass; unknown until one completed. */
    private long oldest = Long.MIN_VALUE;
    /** Whether the store may still hold answers under the old NUL-joined keys; known after a complete pass. */
    private boolean legacyKeys = true;
    private boolean passSawLegacy;

    /** @param clock the worker's wall clock, in epoch milliseconds */
    AnsweredCommands(KeyValueStore<String, byte[]> store, Duration retention, LongSupplier clock) {
        this.store = store;
        this.retentionMillis = retention.toMillis();
        this.clock = clock;
    }

    /** The key of a command: the aggregate id's length in chars, a colon, the aggregate id, the command id. */
    static String key(String aggregateId, String commandId) {
        return aggregateId.length() + ":" + aggregateId + commandId;
    }

    /** The key the store used before length prefixes; read only, while such keys may remain. */
    static String legacyKey(String aggregateId, String commandId) {
        return aggregateId + '\u0000' + commandId;
    }

    /** The result first sent for this command, as sent; null when not answered within the retention. */
    byte[] firstAnswer(String aggregateId, String commandId) {
        byte[] stored = store.get(key(aggregateId, commandId));
        if (stored == null && legacyKeys) {
            stored = store.get(legacyKey(aggregateId, commandId));
        }
        if (stored == null || expired(ByteBuffer.wrap(stored).getLong(), clock.getAsLong())) {
            return null;
        }
        return Arrays.copyOfRange(stored, Long.BYTES, stored.length);
    }

    void remember(String aggregateId, String commandId, byte[] result) {
        long now = clock.getAsLong();
        store.put(key(aggregateId, commandId), stored(result, now));
        answeredSinceSweep++;
        remembered(now);
    }

    /** Keeps the oldest stored time known; written-back answers are not arrivals, so they do not speed the sweep up. */
    private void remembered(long answeredAt) {
        passOldest = Math.min(passOldest, answeredAt);
        if (oldest != Long.MIN_VALUE) {
            oldest = Math.min(oldest, answeredAt);
        }
    }

    private static byte[] stored(byte[] result, long answeredAt) {
        return ByteBuffer.allocate(Long.BYTES + result.length).putLong(answeredAt).put(result).array();
    }

    /** An answer given at {@code answeredAt}, as read back from {@code S-results}. */
    record Answer(String aggregateId, String commandId, byte[] result, long answeredAt) {
    }

    /**
     * Remembers answers read back from {@code S-results}, in order (a later one for the same command
     * replaces an earlier), in one write batch; those expired already are left out.
     *
     * @return how many were stored
     */
    int rememberAll(List<Answer> answers) {
        long now = clock.getAsLong();
        List<KeyValue<String, byte[]>> entries = new ArrayList<>(answers.size());
        for (Answer answer : answers) {
            if (!expired(answer.answeredAt(), now)) {
                entries.add(KeyValue.pair(key(answer.aggregateId(), answer.commandId()), stored(answer.result(), answer.answeredAt())));
                remembered(answer.answeredAt());
            }
        }
        store.putAll(entries);
        return entries.size();
    }

    /** The store's epoch, or null when it has none (new, wiped, or written by a version without epochs). */
    Long epoch() {
        byte[] stored = store.get(EPOCH_KEY);
        return stored == null ? null : ByteBuffer.wrap(stored).getLong();
    }

    void epoch(long epoch) {
        store.put(EPOCH_KEY, ByteBuffer.allocate(Long.BYTES).putLong(epoch).array());
    }

    /** Deletes every answer and the epoch: before the answers are written back from {@code S-results}. */
    void clear() {
        List<String> keys = new ArrayList<>();
        String from = null;
        do {
            // A slice at a time, each after the last: a stale store may hold millions of answers.
            keys.clear();
            try (KeyValueIterator<String, byte[]> slice = store.range(from, null)) {
                while (keys.size() < 10_000 && slice.hasNext()) {
                    keys.add(slice.next().key);
                }
            }
            // One write batch: a put of null deletes.
            store.putAll(keys.stream().map(key -> KeyValue.<String, byte[]>pair(key, null)).toList());
            from = keys.isEmpty() ? null : keys.get(keys.size() - 1);
        } while (!keys.isEmpty());
        sweepFrom = null;
        passOldest = Long.MAX_VALUE;
        oldest = Long.MIN_VALUE;
        legacyKeys = true; // as at every start: known after a complete pass
        passSawLegacy = false;
    }

    /** Deletes expired answers in the next slice of the store. */
    void sweep() {
        long now = clock.getAsLong();
        if (sweepFrom == null && oldest != Long.MIN_VALUE && !expired(oldest, now) && !legacyKeys) {
            answeredSinceSweep = 0;
            return; // nothing in the store is old enough yet
        }
        int budget = Math.max(MIN_SWEEP, 2 * answeredSinceSweep);
        answeredSinceSweep = 0;
        List<String> expired = new ArrayList<>();
        String last = null;
        int scanned = 0;
        try (KeyValueIterator<String, byte[]> slice = store.range(sweepFrom, null)) {
            while (scanned < budget && slice.hasNext()) {
                KeyValue<String, byte[]> entry = slice.next();
                if (entry.key.equals(EPOCH_KEY)) {
                    continue;
                }
                long storedAt = ByteBuffer.wrap(entry.value).getLong();
                if (expired(storedAt, now)) {
                    expired.add(entry.key);
                } else {
                    passOldest = Math.min(passOldest, storedAt);
                    passSawLegacy |= !isCurrentKey(entry.key);
                }
                last = entry.key;
                scanned++;
            }
            // At the end of the store the next sweep starts again from its beginning.
            sweepFrom = slice.hasNext() ? last : null;
        }
        if (sweepFrom == null) {
            oldest = passOldest;
            passOldest = Long.MAX_VALUE;
            legacyKeys = passSawLegacy;
            passSawLegacy = false;
        }
        expired.forEach(store::delete);
    }

    /** Whether the key is in the length-prefixed format; a NUL makes it possibly an old one. */
    static boolean isCurrentKey(String key) {
        int colon = key.indexOf(':');
        if (colon < 1 || colon > 10 || key.indexOf('\u0000') >= 0) {
            return false;
        }
        for (int i = 0; i < colon; i++) {
            if (!Character.isDigit(key.charAt(i))) {
                return false;
            }
        }
        long length = Long.parseLong(key.substring(0, colon));
        return length <= key.length() - colon - 1;
    }

    private boolean expired(long storedAt, long now) {
        return storedAt < now - retentionMillis;
    }
}
