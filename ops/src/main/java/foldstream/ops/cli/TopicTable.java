package foldstream.ops.cli;

import foldstream.worker.topics.ObservedTopic;
import foldstream.worker.topics.TopicDescription;
import foldstream.worker.topics.TopicProblem;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Prints topics as a table: partitions, replicas, the contract's configs and a status, then the
 * problems in full.
 *
 * <pre>{@code
 * TOPIC              PARTITIONS  REPLICAS  CLEANUP.POLICY  RETENTION.MS  RETENTION.BYTES  STATUS
 * ex_users-commands  6           1         delete          604800000     -1               ok
 * ex_users-events    6           1         delete          -1            -1               created
 * }</pre>
 */
final class TopicTable {

    private static final List<String> HEADER = List.of("TOPIC", "PARTITIONS", "REPLICAS", "CLEANUP.POLICY", "RETENTION.MS",
            "RETENTION.BYTES", "STATUS");

    private TopicTable() {
    }

    /** @param created names to mark "created" rather than "ok" */
    static void print(PrintWriter out, List<TopicDescription> topics, Collection<String> created) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (TopicDescription topic : topics) {
            String status = !topic.problems().isEmpty() ? "REFUSED"
                    : !topic.exists() ? "missing"
                    : created.contains(topic.expected().name()) ? "created" : "ok";
            if (topic.observed().isPresent()) {
                ObservedTopic observed = topic.observed().get();
                rows.add(List.of(observed.name(), Integer.toString(observed.partitions()), Integer.toString(observed.replicationFactor()),
                        observed.config(TopicConfig.CLEANUP_POLICY_CONFIG).orElse("?"),
                        observed.config(TopicConfig.RETENTION_MS_CONFIG).orElse("?"),
                        observed.config(TopicConfig.RETENTION_BYTES_CONFIG).orElse("?"), status));
            } else {
                rows.add(List.of(topic.expected().name(), "-", "-", "-", "-", "-", status));
            }
        }
        columns(out, rows);
        List<TopicProblem> problems = topics.stream().flatMap(topic -> topic.problems().stream()).toList();
        if (!problems.isEmpty()) {
            out.println();
            out.println("Problems (the worker refuses to run on these topics):");
            problems.forEach(problem -> out.println("  " + problem));
        }
        out.flush();
    }

    /** Prints rows (the first is the header) in columns two spaces apart, each as wide as its widest cell. */
    static void columns(PrintWriter out, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
            }
            out.println(line);
        }
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
