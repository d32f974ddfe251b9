package foldstream.ops.cli;

import foldstream.worker.projection.runtime.BlueGreenReset;
import foldstream.worker.projection.runtime.EmbeddedProjectionRunner;
import foldstream.worker.projection.runtime.ProjectionGenerations;
import foldstream.worker.projection.runtime.JdbcPositions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream projection reset NAME}: rebuilds a projection version from the first event.
 * The safe rebuild is a new version beside the old one (raise the projection's version in code:
 * new stores or tables, new positions; the old one serves until the new one caught up); this
 * command says so. {@code --in-place} rebuilds the same version instead, once every instance
 * running it is stopped: it deletes its consumer group and its internal topics (embedded) and its
 * rows in the positions tables (JDBC, with {@code --jdbc-url}), after confirmation.
 *
 * <pre>{@code
 * foldstream projection reset user-directory --in-place
 * foldstream projection reset account-balances --in-place --jdbc-url jdbc:postgresql://db/app?user=app --yes
 * }</pre>
 */
@Command(name = "projection", mixinStandardHelpOptions = true, description = "Manages one projection.")
final class ProjectionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: the usage, and the status of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.USAGE;
    }

    @Command(name = "reset", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = {"Rebuilds a projection from the first event.",
                "By default blue/green (embedded projections): the running workers build the next generation beside the serving one,"
                    + " switch queries to it once it has caught up, and drop the old one. --in-place: rebuild it where it is, stopped."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:reset (or the rebuild requested)", "1:Kafka or the database failed, or an instance still runs it",
                "2:bad usage, not confirmed, or refused (not an embedded projection that has run)"})
    static final class Reset implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "The projection, e.g. user-directory")
        String name;

        @Option(names = "--version", paramLabel = "N", defaultValue = "1", description = "Its version (default: ${DEFAULT-VALUE})")
        int version;

        @Option(names = "--application-id", paramLabel = "ID", defaultValue = "foldstream",
                description = "The worker application that runs it (default: ${DEFAULT-VALUE})")
        String applicationId;

        @Option(names = "--in-place", description = "Rebuild this same version (every instance running it must be stopped)")
        boolean inPlace;

        @Option(names = "--jdbc-url", paramLabel = "URL", description = "For a JDBC projection: its database (its positions are deleted)")
        String jdbcUrl;

        @Option(names = "--positions-table", paramLabel = "TABLE", defaultValue = JdbcPositions.DEFAULT_TABLE,
                description = "For a JDBC projection: the positions table (default: ${DEFAULT-VALUE})")
        String positionsTable;

        @Option(names = "--yes", description = "Do not ask for confirmation")
        boolean yes;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        Reset(Map<String, String> env) {
            this.env = Map.copyOf(env);
        }

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                if (!inPlace && jdbcUrl != null) {
                    throw new CliFailure(ExitStatus.USAGE, "a JDBC projection is not rebuilt blue/green (its handlers name its tables,"
                            + " which two generations cannot share): use --in-place, or raise its version in code with new table names");
                }
                Map<String, Object> kafka = client.kafka(env);
                int generation = BlueGreenReset.currentGeneration(kafka, applicationId, name, version, client.connectTimeout);
                String group = ProjectionGenerations.applicationId(applicationId, name, version, generation);
                if (!inPlace) {
                    confirm(out, "Every worker running " + group + " rebuilds " + name + " from the first event beside it, switches its"
                            + " queries to the new generation once it has caught up, then deletes " + group + " (group, internal topics,"
                            + " local state).");
                    BlueGreenReset.Outcome outcome = BlueGreenReset.request(kafka, applicationId, name, version, requester(),
                            client.connectTimeout);
                    if (outcome instanceof BlueGreenReset.Outcome.Refused refused) {
                        throw new CliFailure(ExitStatus.USAGE, refused.reason());
                    }
                    BlueGreenReset.Outcome.Requested requested = (BlueGreenReset.Outcome.Requested) outcome;
                    out.println("asked for generation " + requested.next().generation() + " (" + requested.to() + "): running workers"
                            + " build it now while " + requested.from() + " serves. Follow it with GET /projections on a worker"
                            + " (BUILDING, behind) or `foldstream projections`; workers switch on their own once it has caught up.");
                    return ExitStatus.OK;
                }
                confirm(out, "This deletes the consumer group " + group + ", its internal topics (changelogs, repartition topic)"
                        + (jdbcUrl == null ? "" : " and its rows in " + positionsTable) + ".");
                resetKafka(out, group);
                if (jdbcUrl != null) {
                    resetPositions(out, name + "-v" + version);
                }
                out.println(group + " reset: its next start rebuilds it from the first event."
                        + " Delete <state-dir>/" + group + " on each instance of an embedded projection, and empty a JDBC projection's own tables.");
                return ExitStatus.OK;
            } catch (TimeoutException e) {
                err.println("foldstream projection reset: Kafka did not answer: " + e.getMessage());
                return ExitStatus.FAILED;
            } catch (IllegalStateException e) {
                err.println("foldstream projection reset: " + e.getMessage());
                return ExitStatus.FAILED;
            } catch (CliFailure e) {
                err.println("foldstream projection reset: " + e.getMessage());
                return e.status();
            } finally {
                out.flush();
                err.flush();
            }
        }

        private static String requester() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
            return System.getProperty("user.name", "unknown") + "@" + host;
        }

        private void confirm(PrintWriter out, String what) {
            if (yes) {
                return;
            }
            out.println(what + " Type the projection's name to go on:");
            out.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.trim().equals(name)) {
                throw new CliFailure(ExitStatus.USAGE, "not confirmed; nothing changed");
            }
        }

        private void resetKafka(PrintWriter out, String group) throws InterruptedException {
            Map<String, Object> kafka = client.kafka(env);
            long timeout = client.connectTimeout.toMillis();
            try (Admin admin = Admin.create(kafka)) {
                try {
                    admin.deleteConsumerGroups(List.of(group)).all().get(timeout, TimeUnit.MILLISECONDS);
                    out.println("deleted the consumer group " + group);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof GroupNotEmptyException) {
                        throw new CliFailure(ExitStatus.FAILED, "an instance still runs " + group + ": stop every worker running it first");
                    }
                    if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                        throw e;
                    }
                }
                Set<String> topics = admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS);
                // By exact name: a prefix would also take the topics of the next generations (<group>-g2-...).
                List<String> internal = EmbeddedProjectionRunner.internalTopics(group).stream().filter(topics::contains).sorted().toList();
                if (!internal.isEmpty()) {
                    admin.deleteTopics(internal).all().get(timeout, TimeUnit.MILLISECONDS);
                    out.println("deleted " + internal);
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new CliFailure(ExitStatus.FAILED, "Kafka at " + kafka.get("bootstrap.servers") + " failed: "
                        + (e.getCause() == null ? e : e.getCause()));
            }
        }

        private void resetPositions(PrintWriter out, String projection) {
            JdbcPositions positions;
            try {
                positions = new JdbcPositions(positionsTable);
            } catch (IllegalArgumentException e) {
                throw new CliFailure(ExitStatus.USAGE, "--positions-table: " + e.getMessage());
            }
            try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                connection.setAutoCommit(false);
                int rows = 0;
                for (String table : List.of(positions.table(), positions.table() + "_aggregates")) {
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE projection = ?")) {
                        delete.setString(1, projection);
                        rows += delete.executeUpdate();
                    }
                }
                connection.commit();
                out.println("deleted " + rows + " rows of " + projection + " in " + positions.table() + "(_aggregates)");
            } catch (SQLException e) {
                throw new CliFailure(ExitStatus.FAILED, "the database failed: " + e.getMessage());
            }
        }
    }
}
