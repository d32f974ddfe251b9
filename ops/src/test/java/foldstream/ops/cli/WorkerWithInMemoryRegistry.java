package foldstream.ops.cli;

import foldstream.worker.app.LoggingDefaults;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.util.Map;
import picocli.CommandLine;

/**
 * WorkerMain in a JVM of its own, as {@code WorkerMain.main} runs it, except that the registry
 * client is the in-memory one: no HTTP registry client is wired yet, and the shutdown test needs
 * no schemas shared with another process.
 */
public final class WorkerWithInMemoryRegistry {

    private WorkerWithInMemoryRegistry() {
    }

    public static void main(String[] args) {
        LoggingDefaults.apply();
        WorkerMain main = new WorkerMain(Map.copyOf(System.getenv()), url -> new InMemorySchemaRegistry(), ExampleTypes.all());
        System.exit(new CommandLine(main).execute(args));
    }
}
