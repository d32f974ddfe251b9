package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options {@link ClassArchive} gives a child JVM do what the benchmark relies on, on this JDK:
 * the first child writes the archive as it exits, the next one loads its classes from it.
 */
class ClassArchiveTest {

    /** What the child JVMs run: a class alone in a jar (the JDK archives classes from jars only). */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("probe ran");
        }
    }

    @Test
    void theFirstChildWritesTheArchiveAtItsExitAndTheNextStartsFromIt(@TempDir Path dir) throws Exception {
        Path jar = probeJar(dir);
        ClassArchive archive = ClassArchive.in(dir);
        assertThat(archive.jvmOptions()).as("no archive yet").isEmpty();
        Files.createDirectories(archive.file().orElseThrow().getParent());

        String first = run(archive.dumpOptions(), jar);

        assertThat(first).contains("probe ran").doesNotContain("[cds");
        assertThat(archive.written()).isTrue();
        // -Xshare:on: the JVM refuses to start unless it maps the archive.
        List<String> options = new ArrayList<>(archive.jvmOptions());
        options.addAll(List.of("-Xshare:on", "-Xlog:class+load=info"));
        String next = run(options, jar);
        assertThat(next).contains("probe ran").contains(Probe.class.getName() + " source: shared objects file");
    }

    @Test
    void withoutAnArchiveAChildGetsNoOptions() {
        assertThat(ClassArchive.none().jvmOptions()).isEmpty();
        assertThat(ClassArchive.none().dumpOptions()).isEmpty();
        assertThat(ClassArchive.none().written()).isFalse();
    }

    private static Path probeJar(Path dir) throws Exception {
        Path jar = dir.resolve("probe.jar");
        String entry = Probe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file);
             InputStream bytes = Probe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            bytes.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    /** Runs the probe in a new JVM with {@code options}; its output, stdout and stderr together. */
    private static String run(List<String> options, Path jar) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(options);
        command.addAll(List.of("-cp", jar.toString(), Probe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
