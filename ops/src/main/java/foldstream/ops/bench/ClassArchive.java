package foldstream.ops.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The class archive the benchmark's child JVMs start from: the classes a worker loads, already
 * parsed and verified, mapped from one file instead of read from some 80 jars. A fresh worker JVM
 * starts about a second and a half sooner with it, as a worker started by {@code ops/foldstream
 * worker} does from its second start on (docs/performance.md). The benchmark writes it once, at
 * the exit of a short training worker, before anything is timed; {@code --no-class-archive}
 * measures a JVM without one.
 *
 * <p>On Java 17 to 24 it is the JDK's dynamic class data sharing archive; on Java 25 and later an
 * ahead-of-time cache ({@code -XX:AOTCacheOutput}, JEP 514), which also holds the classes linked
 * and the training run's method profiles, so a worker starts sooner again (docs/performance.md).
 * The children run the benchmark's own JDK, so its version decides.
 *
 * <pre>{@code
 * ClassArchive archive = ClassArchive.in(workDir);
 * new ChildProcess(BenchChild.class, archive.dumpOptions(), args, log).close();   // writes it at exit
 * new ChildProcess(BenchChild.class, archive.jvmOptions(), args, log);            // starts from it
 * }</pre>
 *
 * @param file where the archive is; empty: the children start without one
 * @param kind what the children's JDK writes
 */
record ClassArchive(Optional<Path> file, Kind kind) {

    /** What a JDK archives, by its feature version. */
    enum Kind {
        /** Java 17 to 24: the classes, parsed and verified ({@code -XX:ArchiveClassesAtExit}). */
        CLASS_DATA_SHARING("jsa", "-XX:ArchiveClassesAtExit=", "-XX:SharedArchiveFile=", List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off")),
        /** Java 25 and later: the classes loaded and linked, and method profiles ({@code -XX:AOTCacheOutput}). */
        AOT_CACHE("aot", "-XX:AOTCacheOutput=", "-XX:AOTCache=", List.of("-Xlog:aot*=off", "-Xlog:cds*=off"));

        /** The first Java release that writes an ahead-of-time cache in one training run. */
        static final int AOT_CACHE_SINCE = 25;

        private final String extension;
        private final String dump;
        private final String use;
        /** The JDK's own messages about the archive go to stdout, at exit too: they stay out of the child's log. */
        private final List<String> quiet;

        Kind(String extension, String dump, String use, List<String> quiet) {
            this.extension = extension;
            this.dump = dump;
            this.use = use;
            this.quiet = quiet;
        }

        static Kind of(int javaFeatureVersion) {
            return javaFeatureVersion >= AOT_CACHE_SINCE ? AOT_CACHE : CLASS_DATA_SHARING;
        }

        /** This JDK's. */
        static Kind ofThisJdk() {
            return of(Runtime.version().feature());
        }
    }

    /** Children start without an archive. */
    static ClassArchive none() {
        return new ClassArchive(Optional.empty(), Kind.ofThisJdk());
    }

    /** The archive of a benchmark run, in its work directory (the run deletes it at the end, with the data). */
    static ClassArchive in(Path workDir) {
        return in(workDir, Kind.ofThisJdk());
    }

    /** The same, of a given kind: for a JDK other than this one. */
    static ClassArchive in(Path workDir, Kind kind) {
        return new ClassArchive(Optional.of(workDir.resolve("class-archive").resolve("children." + kind.extension).toAbsolutePath()), kind);
    }

    /** The options of a child that starts from the archive; none while there is no archive yet. */
    List<String> jvmOptions() {
        return written() ? options(kind.use) : List.of();
    }

    /** The options of the child that writes the archive when it exits. */
    List<String> dumpOptions() {
        return file.isPresent() ? options(kind.dump) : List.of();
    }

    /** Whether the archive exists: the training child wrote it. */
    boolean written() {
        return file.isPresent() && Files.isRegularFile(file.get());
    }

    private List<String> options(String prefix) {
        return Stream.concat(Stream.of(prefix + file.get()), kind.quiet.stream()).toList();
    }
}
