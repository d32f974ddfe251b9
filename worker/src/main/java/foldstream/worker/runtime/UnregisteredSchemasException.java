package foldstream.worker.runtime;

import java.util.List;

/**
 * The start-up gate, with auto-registration off, found schemas the registry does not hold as the
 * latest version of their subject: the worker would fail to write them, so it does not start.
 * Register them first (from CI, with credentials that may write), then start the worker.
 */
public final class UnregisteredSchemasException extends IllegalStateException {

    private final List<String> subjects;

    /** @param subjects each subject with what is wrong with it */
    public UnregisteredSchemasException(List<String> subjects) {
        super("auto.register.schemas=false and the schema registry lacks " + subjects.size() + " schema(s) this worker writes: "
                + String.join("; ", subjects));
        this.subjects = List.copyOf(subjects);
    }

    /** The subjects, each with what is wrong with it. */
    public List<String> subjects() {
        return subjects;
    }
}
