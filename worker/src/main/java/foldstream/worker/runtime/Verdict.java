package foldstream.worker.runtime;

import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Violation;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * What one command does to one aggregate, before anything is written: the pure part of
 * "Processing one command" (docs/architecture.md, "One command's path").
 */
public sealed interface Verdict<S> permits Verdict.Accepted, Verdict.Unchanged, Verdict.Refused, Verdict.Failed {

    /** Events to append, the state after folding them, and the version they bring the aggregate to. */
    record Accepted<S>(List<SpecificRecord> events, S state, long version) implements Verdict<S> {
        public Accepted {
            events = List.copyOf(events);
        }
    }

    /** Valid, and nothing changes. */
    record Unchanged<S>() implements Verdict<S> {
    }

    /**
     * Refused by a rule: REJECTED (the aggregate's own), WRONG_EXPECTED_VERSION, NOT_FOUND,
     * ALREADY_EXISTS or UNKNOWN_COMMAND.
     */
    record Refused<S>(Outcome outcome, String errorCode, String message, List<Violation> violations) implements Verdict<S> {
        public Refused {
            violations = List.copyOf(violations);
        }
    }

    /** The aggregate's code threw, or broke its contract; nothing is written. */
    record Failed<S>(String message, Throwable cause) implements Verdict<S> {
    }
}
