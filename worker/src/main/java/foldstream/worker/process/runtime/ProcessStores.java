package foldstream.worker.process.runtime;

/**
 * The names of one process's Kafka Streams application and stores.
 *
 * <pre>{@code ProcessStores.of("transfer").instances()  // "transfer-instances" }</pre>
 */
public record ProcessStores(String process) {

    public static ProcessStores of(String process) {
        return new ProcessStores(process);
    }

    /** The application id: the worker's application id, {@code -process-}, the process name. */
    public static String applicationId(String workerApplicationId, String process) {
        return workerApplicationId + "-process-" + process;
    }

    /** Instance id to {@link foldstream.protocol.ProcessSnapshot}; changelogged. */
    public String instances() {
        return process + "-instances";
    }

    /** Due deadlines and retention ends, ordered by time (see {@link DueIndex}); changelogged. */
    public String due() {
        return process + "-due";
    }

    /** The repartition topic's name inside the application: {@code <application.id>-<process>-inputs-repartition}. */
    public String inputs() {
        return process + "-inputs";
    }

    /** The changelog topic of the instance store, which {@code foldstream processes} reads. */
    public String instancesChangelog(String applicationId) {
        return applicationId + "-" + instances() + "-changelog";
    }
}
