package foldstream.worker.app;

import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.topics.EnsuredTopics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The two checks of a worker's start, run side by side: the schemas (round trips to the registry)
 * on a thread of their own while the topics (round trips to the broker) are checked and created on
 * the caller's. Each waits on a different server, so together they take as long as the slower one
 * instead of the sum (a few hundred milliseconds of every start, more with many types).
 *
 * <p>A schema failure wins over a topic failure, as when the schemas were checked first: an
 * incompatible change or an unreachable registry stops the start, saying which. The topics may then
 * have been created already; creating them is what the next start does anyway.
 *
 * <pre>{@code
 * StartChecks.Passed passed = StartChecks.run(() -> gate.open(types), () -> admin.ensure(types, 6, (short) 3));
 * }</pre>
 */
final class StartChecks {

    private StartChecks() {
    }

    /** Both checks passed: what each found. */
    record Passed(SchemaGate.Report schemas, EnsuredTopics topics) {
    }

    /**
     * Runs both checks and waits for both.
     *
     * @throws RuntimeException the schema check's failure if it failed, else the topic check's
     */
    static Passed run(Supplier<SchemaGate.Report> schemas, Supplier<EnsuredTopics> topics) {
        CompletableFuture<SchemaGate.Report> checked = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                checked.complete(schemas.get());
            } catch (Throwable e) {
                checked.completeExceptionally(e);
            }
        }, "foldstream-schema-check");
        thread.setDaemon(true);
        thread.start();
        EnsuredTopics ensured;
        try {
            ensured = topics.get();
        } catch (RuntimeException | Error e) {
            // The schema check's failure says more (it came first before): wait for it, then report one of them.
            schemasOrThrow(checked);
            throw e;
        }
        return new Passed(schemasOrThrow(checked), ensured);
    }

    private static SchemaGate.Report schemasOrThrow(CompletableFuture<SchemaGate.Report> checked) {
        try {
            return checked.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
