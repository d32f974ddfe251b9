package foldstream.worker.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest {@link RebuildProgress} of every task of this instance, written by the stream threads
 * and read by anything else (queries, metrics): one board per worker.
 *
 * <pre>{@code
 * RebuildBoard board = new RebuildBoard();
 * Topology topology = FoldstreamTopology.build(types, codec, options, clock, new KafkaEventLog(), board);
 * board.all().forEach(p -> System.out.println(p.type() + "/" + p.partition() + ": " + p.toGo() + " to go"));
 * }</pre>
 */
public final class RebuildBoard {

    /** Told once of each task, on its first progress: to register the task's meters. */
    @FunctionalInterface
    public interface NewTask {
        void seen(RebuildBoard board, String type, int partition);
    }

    private final Map<String, RebuildProgress> latest = new ConcurrentHashMap<>();
    private final NewTask newTask;

    public RebuildBoard() {
        this((board, type, partition) -> { });
    }

    public RebuildBoard(NewTask newTask) {
        this.newTask = newTask;
    }

    void update(RebuildProgress progress) {
        // One stream thread updates a task, and entries stay: null comes back once per task.
        if (latest.put(progress.type() + "/" + progress.partition(), progress) == null) {
            newTask.seen(this, progress.type(), progress.partition());
        }
    }

    /** The task's latest progress, or {@code null} when it never rebuilt on this instance. */
    public RebuildProgress get(String type, int partition) {
        return latest.get(type + "/" + partition);
    }

    /** Whether commands of that partition are held back for a rebuild now (queries then wait too). */
    public boolean rebuilding(String type, int partition) {
        RebuildProgress progress = get(type, partition);
        return progress != null && progress.running();
    }

    public List<RebuildProgress> all() {
        return List.copyOf(latest.values());
    }
}
