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
 * left, that is one retention after the upgrade at most, so a rolling upgrade forgets nothing.
 */
final class AnsweredCommands {

    private static final int MIN_SWEEP = 1_000;

    private final KeyValueStore<String, byte[]> store;
    private final long retentionMillis;
    private final LongSupplier clock;
    private int answeredSinceSweep;
    private String sweepFrom;
    /** Oldest stored time seen by the current pass, and remembered since it began. */
    private long passOldest = Long.MAX_VALUE;
    /** Oldest stored time in the store, as of the last complete pass; unknown until one completed. */
    private long oldest = Long.MIN_VALUE;
    /**
     * Whether the store may still hold answers under the old NUL-joined keys; known after a complete
     * pass. Known per task, in memory, not kept in the store: during a rolling upgrade a worker of
     * the old version can take the partition back and write old keys after any marker a pass left,
     * and the next new worker would trust the marker and miss them. A task starts unsure, so after a
     * restart a missed id costs a second, filtered lookup until the first complete pass.
     */
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
        store.put(key(aggregateId, commandId), ByteBuffer.allocate(Long.BYTES + result.length).putLong(now).put(result).array());
        answeredSinceSweep++;
        passOldest = Math.min(passOldest, now);
        if (oldest != Long.MIN_VALUE) {
            oldest = Math.min(oldest, now);
        }
    }

    /** The size in bytes of what {@link #remember} stores for a result of {@code resultBytes}, key excluded. */
    static int storedSize(int resultBytes) {
        return Long.BYTES + resultBytes;
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
