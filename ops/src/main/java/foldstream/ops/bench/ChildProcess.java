package foldstream.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A processor under test in a JVM of its own, as it runs in production: its memory is its own,
 * and it reads nothing of the benchmark's heap or threads.
 */
final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    /**
     * Starts {@code main} with {@code args} in a new JVM whose output goes to {@code log};
     * {@code jvmOptions} come first (the class archive's: {@link ClassArchive#jvmOptions()}).
     */
    ChildProcess(Class<?> main, List<String> jvmOptions, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // For profiling, e.g. FOLDSTREAM_BENCH_CHILD_OPTS="-XX:StartFlightRecording=filename=worker.jfr,settings=profile"
        String options = System.getenv("FOLDSTREAM_BENCH_CHILD_OPTS");
        if (options != null && !options.isBlank()) {
            command.addAll(List.of(options.trim().split("\\s+")));
        }
        // A killed child never deletes its temporary files (RocksDB unpacks 15 MB of native library there):
        // they go to tmp/ beside the logs folder, in the bench's work directory, which the bench empties at its end.
        Path tmp = Files.createDirectories(log.toAbsolutePath().getParent().resolveSibling("tmp"));
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        Files.createDirectories(log.getParent());
        this.log = log;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    long pid() {
        return process.pid();
    }

    /** The child's peak resident memory so far (VmHWM), in MiB; -1 where /proc does not tell. */
    double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU seconds the child has used so far (user and system, all its threads: /proc/PID/stat on
     * Linux), or NaN where the platform does not tell. Unlike wall-clock time, what other processes
     * on the machine do barely moves it, so it judges a change on a shared machine.
     */
    double cpuSeconds() {
        return cpuSeconds(process.toHandle());
    }

    /** The same for any process, e.g. {@code ProcessHandle.current()}: the benchmark's own JVM. */
    static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the child JVM exited with " + process.exitValue() + "; see " + log);
        }
    }

    /** A crash: SIGKILL on Linux ({@link Process#destroyForcibly()}), nothing runs in the child after it. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, so the worker closes cleanly; then SIGKILL if it lingers. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
