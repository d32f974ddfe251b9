package foldstream.worker.runtime;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The hot aggregates of one task, deserialized, in front of the snapshot store: the seed's
 * aggregate processes, loaded on demand and dropped after an idle TTL. Bounded: the least recently
 * used entry goes first.
 *
 * <p>It is written through together with the store, and it belongs to one task: the processor
 * empties it whenever the task is (re)initialized or closed, so it can never hold a state older
 * than the store's (after a rebalance or an aborted transaction the store is the truth).
 *
 * <p>Aggregate code never touches a cached state: {@link #get} hands out a deep copy, so an
 * {@code evolve} that mutates its input and then throws leaves the cache as the store has it.
 */
final class AggregateCache<S> {

    /** Mutable on purpose: a hit only moves its time, without an allocation per command. */
    private static final class CachedState<S> {
        final Snapshot<S> snapshot;
        long lastUsed;

        CachedState(Snapshot<S> snapshot, long lastUsed) {
            this.snapshot = snapshot;
            this.lastUsed = lastUsed;
        }
    }

    private final int maxEntries;
    private final long idleTtlMillis;
    private final LongSupplier clock;
    private final LinkedHashMap<String, CachedState<S>> entries;
    // Read by the metrics scrape from another thread: a slightly stale count is fine there.
    private long hits;
    private long misses;
    private final UnaryOperator<S> copy;

    /** For immutable states: hands out the cached ones themselves. */
    AggregateCache(int maxEntries, Duration idleTtl, LongSupplier clock) {
        this(maxEntries, idleTtl, clock, UnaryOperator.identity());
    }

    /** @param copy makes a deep copy of a state, for handing out */
    AggregateCache(int maxEntries, Duration idleTtl, LongSupplier clock, UnaryOperator<S> copy) {
        this.copy = copy;
        this.maxEntries = maxEntries;
        this.idleTtlMillis = idleTtl.toMillis();
        this.clock = clock;
        this.entries = new LinkedHashMap<>(Math.min(maxEntries, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedState<S>> eldest) {
                return size() > AggregateCache.this.maxEntries;
            }
        };
    }

    /** The cached snapshot (its state a copy), or {@code null} when absent or idle for longer than the TTL. */
    Snapshot<S> get(String aggregateId) {
        CachedState<S> entry = entries.get(aggregateId);
        if (entry == null) {
            misses++;
            return null;
        }
        long now = clock.getAsLong();
        if (now - entry.lastUsed > idleTtlMillis) {
            entries.remove(aggregateId);
            misses++;
            return null;
        }
        hits++;
        entry.lastUsed = now; // the access-ordered map already moved it to the most recent end
        return handOut(entry.snapshot);
    }

    /** The snapshot with a copy of its state, for code that must not change what is cached. */
    Snapshot<S> handOut(Snapshot<S> snapshot) {
        if (maxEntries == 0) {
            return snapshot; // nothing is cached
        }
        return new Snapshot<>(snapshot.version(), copy.apply(snapshot.state()), snapshot.meta());
    }

    void put(String aggregateId, Snapshot<S> snapshot) {
        if (maxEntries > 0) {
            entries.put(aggregateId, new CachedState<>(snapshot, clock.getAsLong()));
        }
    }

    /** Drops every entry idle for longer than the TTL; the least recently used come first, so it stops at the first fresh one. */
    void evictIdle() {
        long now = clock.getAsLong();
        Iterator<CachedState<S>> it = entries.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastUsed > idleTtlMillis) {
                it.remove();
            } else {
                return;
            }
        }
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
