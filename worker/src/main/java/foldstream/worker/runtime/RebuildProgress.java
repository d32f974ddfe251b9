package foldstream.worker.runtime;

/**
 * Where the rebuild of one task's snapshots from {@code S-events} stands: pure event sourcing's
 * catch-up when a task starts, or a replay. Immutable; {@link RebuildBoard} holds the latest per
 * task, for metrics and the log.
 *
 * <pre>{@code
 * RebuildProgress p = board.get("ex_users", 0);
 * if (p != null && p.running()) { ... p.folded() ... p.toGo() ... }
 * }</pre>
 *
 * @param type the aggregate type's stream name
 * @param partition the task's partition
 * @param running whether commands of the partition are held back for it now
 * @param folded events folded into snapshots so far
 * @param skipped events already in the store (a catch-up finds the task's own), not folded again
 * @param toGo offsets of {@code S-events} still to read (events, and a few transaction markers)
 * @param failures events that could not be folded (unreadable, a version gap, {@code evolve} threw)
 */
public record RebuildProgress(String type, int partition, boolean running, long folded, long skipped, long toGo, long failures) {
}
