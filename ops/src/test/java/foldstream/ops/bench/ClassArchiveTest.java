package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options {@link ClassArchive} gives a child JVM do what the benchmark relies on: the first
 * child writes the archive as it exits, the next one loads its classes from it. On the test's own
 * JDK, and on each JDK of the other kind that this machine has beside it (a machine of this project's
 * kind has Java 17 as {@code java} and a Java 25 under {@code /usr/lib/jvm}), so that both kinds run.
 */
class ClassArchiveTest {

    /** What the child JVMs run: a class alone in a jar (the JDK archives classes from jars only). */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("probe ran");
        }
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdks")
    void theFirstChildWritesTheArchiveAtItsExitAndTheNextStartsFromIt(Path javaHome, ClassArchive.Kind kind, @TempDir Path dir)
            throws Exception {
        Path jar = probeJar(dir);
        ClassArchive archive = ClassArchive.in(dir, kind);
        assertThat(archive.jvmOptions()).as("no archive yet").isEmpty();
        Files.createDirectories(archive.file().orElseThrow().getParent());

        String first = run(javaHome, archive.dumpOptions(), jar);

        assertThat(first).contains("probe ran").doesNotContain("[cds").doesNotContain("[aot");
        assertThat(archive.written()).isTrue();
        // Either option makes the JVM refuse to start unless it maps the archive.
        List<String> options = new ArrayList<>(archive.jvmOptions());
        options.add(kind == ClassArchive.Kind.AOT_CACHE ? "-XX:AOTMode=on" : "-Xshare:on");
        options.add("-Xlog:class+load=info");
        String next = run(javaHome, options, jar);
        assertThat(next).contains("probe ran").contains(Probe.class.getName() + " source: shared objects file");
    }

    @Test
    void aJdkArchivesByItsFeatureVersion() {
        assertThat(ClassArchive.Kind.of(17)).isEqualTo(ClassArchive.Kind.CLASS_DATA_SHARING);
        assertThat(ClassArchive.Kind.of(24)).isEqualTo(ClassArchive.Kind.CLASS_DATA_SHARING);
        assertThat(ClassArchive.Kind.of(25)).isEqualTo(ClassArchive.Kind.AOT_CACHE);
        assertThat(ClassArchive.in(Path.of("w"), ClassArchive.Kind.AOT_CACHE).dumpOptions().get(0))
                .startsWith("-XX:AOTCacheOutput=").endsWith("children.aot");
        assertThat(ClassArchive.in(Path.of("w"), ClassArchive.Kind.CLASS_DATA_SHARING).dumpOptions().get(0))
                .startsWith("-XX:ArchiveClassesAtExit=").endsWith("children.jsa");
    }

    /** The test's own JDK, and the newest JDK of the other kind in the same folder, if there is one. */
    static Stream<Arguments> jdks() throws Exception {
        Path own = Path.of(System.getProperty("java.home"));
        ClassArchive.Kind ownKind = ClassArchive.Kind.ofThisJdk();
        List<Arguments> jdks = new ArrayList<>(List.of(Arguments.of(own, ownKind)));
        Path folder = own.toRealPath().getParent();
        if (folder != null) {
            try (Stream<Path> siblings = Files.list(folder)) {
                siblings.filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
                        .map(home -> Map.entry(home, featureVersion(home)))
                        .filter(jdk -> jdk.getValue() > 0 && ClassArchive.Kind.of(jdk.getValue()) != ownKind)
                        .max(Map.Entry.comparingByValue())
                        .ifPresent(jdk -> jdks.add(Arguments.of(jdk.getKey(), ClassArchive.Kind.of(jdk.getValue()))));
            }
        }
        return jdks.stream();
    }

    /** The feature version a JDK's {@code release} file names ({@code JAVA_VERSION="25.0.3"}); 0 when it names none. */
    private static int featureVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Runtime.Version.parse(version).feature();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
        return 0;
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

    /** Runs the probe in a new JVM of {@code javaHome} with {@code options}; its output, stdout and stderr together. */
    private static String run(Path javaHome, List<String> options, Path jar) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin").resolve("java").toString()));
        command.addAll(options);
        command.addAll(List.of("-cp", jar.toString(), Probe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
