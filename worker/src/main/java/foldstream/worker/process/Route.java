package foldstream.worker.process;

import java.util.Objects;

/**
 * Where {@link ProcessManager#route} sends an event.
 *
 * <pre>{@code
 * if (event instanceof TransferRequested) return Route.start(meta.aggregateId());
 * if (event instanceof TransferCancelled) return Route.continueWith(meta.aggregateId());
 * return Route.ignore();
 * }</pre>
 */
public sealed interface Route permits Route.Start, Route.Continue, Route.Ignore {

    /**
     * Starts the instance, or continues it if it is running. An instance that finished and is still
     * kept (its retention) is not started again: the event is ignored and logged, so that reusing an
     * id is a deliberate choice.
     */
    record Start(String instanceId) implements Route {
        public Start {
            requireId(instanceId);
        }
    }

    /** Continues a running instance; ignored when there is none (it never started, or it finished). */
    record Continue(String instanceId) implements Route {
        public Continue {
            requireId(instanceId);
        }
    }

    /** Not for this process. */
    record Ignore() implements Route {
    }

    static Route start(String instanceId) {
        return new Start(instanceId);
    }

    static Route continueWith(String instanceId) {
        return new Continue(instanceId);
    }

    static Route ignore() {
        return new Ignore();
    }

    private static void requireId(String id) {
        Objects.requireNonNull(id, "instanceId");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("a process instance id must not be empty");
        }
    }
}
