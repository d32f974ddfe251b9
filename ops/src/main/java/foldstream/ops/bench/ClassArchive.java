package foldstream.ops.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The class archive the benchmark's child JVMs start from (the JDK's class data sharing): the
 * classes a worker loads, already parsed and verified, mapped from one file instead of read from
 * some 80 jars. A fresh worker JVM starts about a second and a half sooner with it, as a worker
 * started by {@code ops/foldstream worker} does from its second start on (README, "Performance").
 * The benchmark writes it once, at the exit of a short training worker, before anything is timed;
 * {@code --no-class-archive} measures a JVM without one.
 *
 * <pre>{@code
 * ClassArchive archive = ClassArchive.in(workDir);
 * new ChildProcess(BenchChild.class, archive.dumpOptions(), args, log).close();   // writes it at exit
 * new ChildProcess(BenchChild.class, archive.jvmOptions(), args, log);            // starts from it
 * }</pre>
 *
 * @param file where the archive is; empty: the children start without one
 */
record ClassArchive(Optional<Path> file) {

    /** The JDK's own messages about the archive go to stdout, at exit too: they stay out of the child's log. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    /** Children start without an archive. */
    static ClassArchive none() {
        return new ClassArchive(Optional.empty());
    }

    /** The archive of a benchmark run, in its work directory (the run deletes it at the end, with the data). */
    static ClassArchive in(Path workDir) {
        return new ClassArchive(Optional.of(workDir.resolve("class-archive").resolve("children.jsa").toAbsolutePath()));
    }

    /** The options of a child that starts from the archive; none while there is no archive yet. */
    List<String> jvmOptions() {
        return written() ? concat("-XX:SharedArchiveFile=" + file.get()) : List.of();
    }

    /** The options of the child that writes the archive when it exits. */
    List<String> dumpOptions() {
        return file.map(path -> concat("-XX:ArchiveClassesAtExit=" + path)).orElse(List.of());
    }

    /** Whether the archive exists: the training child wrote it. */
    boolean written() {
        return file.isPresent() && Files.isRegularFile(file.get());
    }

    private static List<String> concat(String option) {
        return Stream.concat(Stream.of(option), QUIET.stream()).toList();
    }
}
