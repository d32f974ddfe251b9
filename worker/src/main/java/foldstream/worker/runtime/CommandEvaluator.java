package foldstream.worker.runtime;

import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Applies one aggregate type's rules to one command, purely: the creation rule, the expected
 * version, {@code decide}, then {@code evolve} for each event. The processor and the aggregate
 * fixture both use it, so a fixture test sees exactly what the worker would do.
 *
 * @param <S> the state record
 */
public final class CommandEvaluator<S extends SpecificRecord> {

    /** {@code expected-version} absent or -1: any version is fine. */
    public static final long ANY_VERSION = -1L;

    private final AggregateType<S> type;

    public CommandEvaluator(AggregateType<S> type) {
        this.type = type;
    }

    /**
     * @param state the current state ({@code initialState()} at version 0)
     * @param version the current version; 0 means the aggregate does not exist
     * @param expectedVersion {@link #ANY_VERSION}, or the version the sender expects
     */
    public Verdict<S> evaluate(String aggregateId, S state, long version, SpecificRecord command, long expectedVersion) {
        Creation creation = type.creationOf(command.getClass());
        if (creation == null) {
            return refused(Outcome.UNKNOWN_COMMAND, type.name() + " does not handle " + command.getSchema().getFullName());
        }
        if (creation == Creation.CREATES && version > 0) {
            return refused(Outcome.ALREADY_EXISTS, type.name() + " '" + aggregateId + "' already exists (version " + version + ")");
        }
        if (creation == Creation.REQUIRES_EXISTING && version == 0) {
            return refused(Outcome.NOT_FOUND, type.name() + " '" + aggregateId + "' does not exist");
        }
        if (expectedVersion != ANY_VERSION && expectedVersion != version) {
            return refused(Outcome.WRONG_EXPECTED_VERSION,
                    "expected version " + expectedVersion + ", current version " + version);
        }

        Decision decision;
        try {
            decision = type.aggregate().decide(state, command);
        } catch (Throwable e) {
            AggregateCode.rethrowUnlessSurvivable(e, type.name() + " '" + aggregateId + "': decide");
            return new Verdict.Failed<>("decide threw " + e, e);
        }
        if (decision == null) {
            return new Verdict.Failed<>("decide returned null", null);
        }
        if (decision instanceof Decision.NoChange) {
            return new Verdict.Unchanged<>();
        }
        if (decision instanceof Decision.Reject reject) {
            return new Verdict.Refused<>(Outcome.REJECTED, reject.code(), reject.message(), reject.violations());
        }
        List<SpecificRecord> events = ((Decision.Emit) decision).events();
        S folded = state;
        for (SpecificRecord event : events) {
            if (event == null || !type.handlesEvent(event.getClass())) {
                return new Verdict.Failed<>("decide emitted " + (event == null ? "null" : event.getClass().getName())
                        + ", which is not a registered event type of " + type.name(), null);
            }
            try {
                folded = type.aggregate().evolve(folded, event);
            } catch (Throwable e) {
                AggregateCode.rethrowUnlessSurvivable(e, type.name() + " '" + aggregateId + "': evolve");
                return new Verdict.Failed<>("evolve threw " + e, e);
            }
            if (folded == null) {
                return new Verdict.Failed<>("evolve returned null for " + event.getSchema().getFullName(), null);
            }
        }
        return new Verdict.Accepted<>(new ArrayList<>(events), folded, version + events.size());
    }

    private Verdict<S> refused(Outcome outcome, String message) {
        return new Verdict.Refused<>(outcome, outcome.name(), message, List.of());
    }
}
