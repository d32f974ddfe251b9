package foldstream.worker.examples;

import foldstream.worker.process.ProcessType;
import java.util.List;

/** The example process managers the demo and the tests run (with {@link ExampleTypes}). */
public final class ExampleProcesses {

    private ExampleProcesses() {
    }

    public static List<ProcessType<?>> all() {
        return List.of(TransferProcess.type());
    }
}
