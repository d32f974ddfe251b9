package foldstream.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Foldstream worker in a JVM of its own: {@code foldstream.worker.app.WorkerMain}, the worker's own
 * program, on the worker module's runtime classpath ({@code target/worker.classpath}, written by the
 * build), with its stdout and stderr in one log file under {@code target/it-workers/}. It is given an
 * explicit free HTTP port, so that readiness is its {@code GET /ready} and queries go to its API.
 *
 * <pre>{@code
 * @RegisterExtension
 * final WorkerProcess.Group workers = new WorkerProcess.Group(ScaleOutIT.class);
 *
 * WorkerProcess w1 = workers.start(WorkerProcess.options(stack, "app-1", "w1").types("ex_counters"));
 * w1.awaitReady(Duration.ofSeconds(60));
 * w1.terminate(Duration.ofSeconds(40));   // SIGTERM: a clean stop, exit status 0
 * w2.kill();                              // SIGKILL: kill -9
 * }</pre>
 *
 * <p>WorkerMain runs the example types, whose topics have fixed names ({@code ex_users-commands}, ...),
 * and an application started on a commands topic another one has used decides those commands again.
 * So the test classes that start workers use a broker of their own, {@link KafkaStackPerClass} (or,
 * BrokerRestartIT, a {@code KafkaBroker} it restarts), not the one the in-process ITs share.
 *
 * <p>The JVM keeps its default compiler settings (the workers run real loads), a bounded heap, and the
 * serial collector: on a small machine running a broker and several workers, parallel GC threads only
 * compete for the same cores.
 */
final class WorkerProcess implements AutoCloseable {

    static final String MAIN_CLASS = "foldstream.worker.app.WorkerMain";
    private static final List<String> JVM_FLAGS = List.of("-Xmx512m", "-XX:+UseSerialGC");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The flags of one worker; {@link #args()} turns them into WorkerMain's command line. */
    static final class Options {
        final String name;
        final String applicationId;
        private final Map<String, String> flags = new LinkedHashMap<>();
        private final List<String> properties = new ArrayList<>();
        private Path stateDir;
        private int httpPort;

        private Options(String name, String bootstrapServers, String registryUrl, String applicationId) {
            this.name = name;
            this.applicationId = applicationId;
            flags.put("--bootstrap-servers", bootstrapServers);
            flags.put("--schema-registry-url", registryUrl);
            flags.put("--application-id", applicationId);
            flags.put("--partitions", "6");
            // The example projections only where a test asks for them (flag("--projections", ...)): fewer Kafka Streams apps per process.
            flags.put("--projections", "none");
            // Commits as often as under exactly-once by default, said explicitly: results show up within it.
            properties.add("commit.interval.ms=100");
            // Names the instance's Kafka clients after it: its log lines and its group member say which worker it is.
            properties.add("client.id=" + clientId());
        }

        String clientId() {
            return applicationId + "-" + name;
        }

        Options types(String commaSeparated) {
            flags.put("--types", commaSeparated);
            return this;
        }

        Options partitions(int count) {
            flags.put("--partitions", Integer.toString(count));
            return this;
        }

        /** The worker's state directory; by default one of its own under the test's log folder. */
        Options stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Any other flag of the worker, for example {@code --broker-wait forever} or {@code --projection-jdbc-url}. */
        Options flag(String flag, String value) {
            flags.put(flag, value);
            return this;
        }

        Options property(String key, String value) {
            properties.removeIf(p -> p.startsWith(key + "="));
            properties.add(key + "=" + value);
            return this;
        }

        Options httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        List<String> args() {
            List<String> args = new ArrayList<>();
            flags.forEach((flag, value) -> {
                args.add(flag);
                args.add(value);
            });
            args.add("--state-dir");
            args.add(stateDir.toString());
            args.add("--http-port");
            args.add(Integer.toString(httpPort));
            for (String property : properties) {
                args.add("--property");
                args.add(property);
            }
            return args;
        }
    }

    static Options options(KafkaStack.Endpoints stack, String applicationId, String name) {
        return new Options(name, stack.bootstrapServers(), stack.registryUrl(), applicationId);
    }

    static Options options(String bootstrapServers, String registryUrl, String applicationId, String name) {
        return new Options(name, bootstrapServers, registryUrl, applicationId);
    }

    private final String name;
    private final String applicationId;
    private final String clientId;
    private final Process process;
    private final Path log;
    private final Path stateDir;
    private final int httpPort;

    private WorkerProcess(Options options, Process process, Path log) {
        this.name = options.name;
        this.applicationId = options.applicationId;
        this.clientId = options.clientId();
        this.stateDir = options.stateDir;
        this.httpPort = options.httpPort;
        this.process = process;
        this.log = log;
    }

    /** Starts the worker; its log goes to {@code dir/<name>.log} (appended to, so a restarted worker keeps one log). */
    static WorkerProcess start(Path dir, Options options) {
        try {
            Files.createDirectories(dir);
            if (options.stateDir == null) {
                options.stateDir = dir.resolve(options.name + "-state");
            }
            if (options.httpPort == 0) {
                options.httpPort = freePort();
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_FLAGS);
            // A killed worker never deletes its temporary files (RocksDB unpacks 15 MB of native library
            // there): they go to a folder of the test's, which goes when the test passes.
            Path tmp = Files.createDirectories(dir.resolve(options.name + "-tmp"));
            command.add("-Djava.io.tmpdir=" + tmp);
            command.add("-cp");
            command.add(workerClasspath());
            command.add(MAIN_CLASS);
            command.addAll(options.args());
            Path log = dir.resolve(options.name + ".log");
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new WorkerProcess(options, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + options.name, e);
        }
    }

    /** The worker module's runtime classpath as the build wrote it; the test JVM's own when run outside Maven. */
    static String workerClasspath() throws IOException {
        Path file = Path.of(System.getProperty("basedir", "."), "target", "worker.classpath");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : System.getProperty("java.class.path");
    }

    /**
     * A port free now on 127.0.0.1, below the range the kernel takes the local ports of outgoing
     * connections from. A worker binds its port seconds after it is picked, and a restarted broker
     * binds it again after an outage; a port from that range (what binding port 0 answers) could
     * meanwhile become the local port of one of the many client connections the tests make, or of a
     * client reconnecting to that very port.
     */
    static int freePort() {
        int below = ephemeralRangeStart();
        Random random = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 10_000 + random.nextInt(below - 10_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found between 10000 and " + below);
    }

    /** The first port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range; 32768 otherwise). */
    private static int ephemeralRangeStart() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            int start = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
            return start > 11_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    String name() {
        return name;
    }

    int httpPort() {
        return httpPort;
    }

    Path stateDir() {
        return stateDir;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The partitions of {@code topic} the application's consumer group assigns to this worker now
     * (its main consumer is the member whose client id starts with the worker's client id).
     */
    Set<TopicPartition> assigned(Admin admin, String topic) {
        try {
            return admin.describeConsumerGroups(List.of(applicationId)).all().get(10, TimeUnit.SECONDS).get(applicationId)
                    .members().stream()
                    .filter(member -> member.clientId().startsWith(clientId + "-"))
                    .flatMap(member -> member.assignment().topicPartitions().stream())
                    .filter(tp -> tp.topic().equals(topic))
                    .collect(Collectors.toSet());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the group " + applicationId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code GET /ready} answers 200 (Kafka Streams is RUNNING), failing at once if the process ends. */
    WorkerProcess awaitReady(Duration timeout) {
        try {
            await("worker " + name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("worker " + name + " ended with status " + process.exitValue()
                            + " before it was ready; its log ends:\n" + logTail(60));
                }
                return get("/ready").statusCode() == 200;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("worker " + name + " was not ready within " + timeout + "; its log ends:\n" + logTail(60), e);
        }
        return this;
    }

    /** A GET on the worker's HTTP API; a connection failure is a status of -1. */
    HttpResponse<String> get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Unanswered(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends SIGTERM and waits for the process to end; returns its exit status. */
    int terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout, "SIGTERM");
    }

    /** Sends SIGKILL (kill -9) and waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30), "SIGKILL");
    }

    private int awaitExit(Duration timeout, String signal) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("worker " + name + " did not end within " + timeout + " of " + signal
                        + "; its log ends:\n" + logTail(60));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** The last lines of the worker's log. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "worker " + name + " (pid " + process.pid() + ", http " + httpPort + ")";
    }

    /**
     * The workers a test class starts: their logs go to {@code target/it-workers/<TestClass>/<test>/},
     * and after each test every worker still running is killed; when the test failed, the tail of each
     * worker's log is printed (into the failsafe report's output file) and everything stays for a look;
     * when it passed, the state directories (and a broker's data) are deleted and the logs stay.
     */
    static final class Group implements BeforeEachCallback, AfterEachCallback {
        private final Path root;
        private final List<WorkerProcess> started = new CopyOnWriteArrayList<>();
        private volatile Path dir;

        Group(Class<?> testClass) {
            this.root = Path.of(System.getProperty("basedir", "."), "target", "it-workers", testClass.getSimpleName());
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            dir = root.resolve(context.getRequiredTestMethod().getName() + "-" + Long.toString(System.currentTimeMillis(), 36));
        }

        /** The current test's folder (logs, state directories, a broker's data); new for each run. */
        Path dir() {
            if (dir == null) {
                throw new IllegalStateException("the group is used outside a test; register it with @RegisterExtension");
            }
            return dir;
        }

        WorkerProcess start(Options options) {
            WorkerProcess worker = WorkerProcess.start(dir(), options);
            started.add(worker);
            return worker;
        }

        @Override
        public void afterEach(ExtensionContext context) {
            boolean failed = context.getExecutionException().isPresent();
            for (WorkerProcess worker : started) {
                worker.close();
                if (failed) {
                    System.err.println("---- " + worker + ", log " + worker.log() + ", last lines:\n" + worker.logTail(80));
                }
            }
            started.clear();
            if (!failed) {
                deleteFolders(dir);
            }
        }

        /** After a test that passed, its state directories and broker data go; the logs stay. */
        private static void deleteFolders(Path dir) {
            if (dir == null || !Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path folder : entries.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> tree = Files.walk(folder)) {
                        tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                    }
                }
            } catch (IOException e) {
                System.err.println("could not delete the folders in " + dir + ": " + e);
            }
        }
    }

    /** A request that got no answer (connection refused or reset): status -1. */
    private record Unanswered(HttpRequest request) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return -1;
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
