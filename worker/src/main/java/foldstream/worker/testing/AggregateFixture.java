package foldstream.worker.testing;

import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Violation;
import foldstream.worker.runtime.CommandEvaluator;
import foldstream.worker.runtime.EventReader;
import foldstream.worker.runtime.Verdict;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.WireFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Tests an aggregate without Kafka: given earlier events, when a command arrives, then these events
 * or this outcome. It applies the same rules as the worker (creation rules, expected version,
 * decide, evolve, and writing the records in Avro), so what passes here is what the worker does.
 *
 * <pre>{@code
 * AggregateFixture.of(Accounts.type())
 *         .given(new AccountOpened("ann"), new MoneyDeposited(100L, 100L))
 *         .when(new Withdraw(30L))
 *         .expectEvents(new MoneyWithdrawn(30L, 70L))
 *         .expectState(new AccountState("ann", 70L))
 *         .expectVersion(3);
 *
 * AggregateFixture.of(Accounts.type())
 *         .givenNothing()
 *         .when(new Deposit(5L))
 *         .expectOutcome(Outcome.NOT_FOUND);
 * }</pre>
 *
 * <p>Failed expectations throw {@link AssertionError}, so it works with any test framework.
 */
public final class AggregateFixture<S extends SpecificRecord> {

    private final AggregateType<S> type;
    private final CommandEvaluator<S> evaluator;
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);

    private AggregateFixture(AggregateType<S> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.evaluator = new CommandEvaluator<>(type);
    }

    public static <S extends SpecificRecord> AggregateFixture<S> of(AggregateType<S> type) {
        return new AggregateFixture<>(type);
    }

    /** An aggregate that does not exist yet. */
    public Given givenNothing() {
        return new Given(type.aggregate().initialState(), 0);
    }

    /** An aggregate whose history is these events, folded in order with {@code evolve}. */
    public Given given(SpecificRecord... events) {
        S state = type.aggregate().initialState();
        for (SpecificRecord event : events) {
            if (!type.handlesEvent(event.getClass())) {
                throw new IllegalArgumentException(event.getClass().getName() + " is not an event type of " + type.name());
            }
            state = type.aggregate().evolve(state, event);
        }
        return new Given(state, events.length);
    }

    /**
     * An aggregate whose history is these events as they were written, under any of their schemas,
     * old ones included: each is read as the worker reads it (upcasters, aliases of renamed types,
     * Avro's resolution), then folded. Each written event is one version, whatever it is upcast to.
     *
     * <pre>{@code
     * GenericRecord old = new GenericData.Record(AMOUNT_PAID_IN_V1);   // a schema the code no longer has
     * old.put("euros", 3);
     * AggregateFixture.of(Accounts.type()).givenWritten(old).when(new Withdraw(100L)).expectVersion(2);
     * }</pre>
     *
     * @throws IllegalArgumentException when an event cannot be read as one of the type's events
     */
    public Given givenWritten(GenericRecord... events) {
        EventReader reader = new EventReader(type, codec);
        S state = type.aggregate().initialState();
        for (GenericRecord written : events) {
            byte[] bytes = codec.encode(type.name() + "-events-" + written.getSchema().getFullName(), written);
            EventReader.Read read = reader.read(bytes);
            if (!(read instanceof EventReader.Read.Events today)) {
                throw new IllegalArgumentException(((EventReader.Read.Unreadable) read).reason());
            }
            for (SpecificRecord event : today.events()) {
                state = type.aggregate().evolve(state, event);
            }
        }
        return new Given(state, events.length);
    }

    /** The aggregate's history, ready for a command. */
    public final class Given {
        private final S state;
        private final long version;

        private Given(S state, long version) {
            this.state = state;
            this.version = version;
        }

        /** The command, with no expected version. */
        public Then when(SpecificRecord command) {
            return when(command, CommandEvaluator.ANY_VERSION);
        }

        /** The command, as sent with an {@code expected-version} header. */
        public Then when(SpecificRecord command, long expectedVersion) {
            Verdict<S> verdict = evaluator.evaluate("fixture", state, version, command, expectedVersion);
            if (verdict instanceof Verdict.Accepted<S> accepted) {
                verdict = written(accepted);
            }
            return new Then(verdict, version);
        }
    }

    /** The worker encodes what an aggregate returns; a record Avro cannot write is a FAILED command there. */
    private Verdict<S> written(Verdict.Accepted<S> accepted) {
        try {
            for (SpecificRecord event : accepted.events()) {
                codec.encode(type.name() + "-events-" + event.getSchema().getFullName(), event);
            }
            codec.encode(type.name() + "-state-value", accepted.state());
            return accepted;
        } catch (WireFormatException e) {
            return new Verdict.Failed<>("cannot write the aggregate's records: " + e.getMessage(), e);
        }
    }

    /** What happened, with expectations to check. */
    public final class Then {
        private final Verdict<S> verdict;
        private final long versionBefore;

        private Then(Verdict<S> verdict, long versionBefore) {
            this.verdict = verdict;
            this.versionBefore = versionBefore;
        }

        /** The outcome the worker would put in the {@code CommandResult}. */
        public Outcome outcome() {
            if (verdict instanceof Verdict.Accepted<S>) {
                return Outcome.ACCEPTED;
            }
            if (verdict instanceof Verdict.Unchanged<S>) {
                return Outcome.NO_CHANGE;
            }
            if (verdict instanceof Verdict.Refused<S> refused) {
                return refused.outcome();
            }
            return Outcome.FAILED;
        }

        /** The events written; empty unless accepted. */
        public List<SpecificRecord> events() {
            return verdict instanceof Verdict.Accepted<S> accepted ? accepted.events() : List.of();
        }

        /** The version after the command. */
        public long version() {
            return verdict instanceof Verdict.Accepted<S> accepted ? accepted.version() : versionBefore;
        }

        public Then expectOutcome(Outcome expected) {
            if (outcome() != expected) {
                throw new AssertionError("expected outcome " + expected + " but was " + describe());
            }
            return this;
        }

        public Then expectEvents(SpecificRecord... expected) {
            expectOutcome(Outcome.ACCEPTED);
            if (!events().equals(List.of(expected))) {
                throw new AssertionError("expected events " + List.of(expected) + " but were " + events());
            }
            return this;
        }

        public Then expectNoChange() {
            return expectOutcome(Outcome.NO_CHANGE);
        }

        /** REJECTED, with this error code. */
        public Then expectRejected(String errorCode) {
            expectOutcome(Outcome.REJECTED);
            String code = ((Verdict.Refused<S>) verdict).errorCode();
            if (!code.equals(errorCode)) {
                throw new AssertionError("expected error code " + errorCode + " but was " + code);
            }
            return this;
        }

        /** REJECTED, with a violation on each of these fields and on no other. */
        public Then expectViolations(String... fields) {
            expectOutcome(Outcome.REJECTED);
            List<String> actual = new ArrayList<>();
            for (Violation violation : ((Verdict.Refused<S>) verdict).violations()) {
                actual.add(violation.field());
            }
            if (!actual.stream().sorted().collect(Collectors.toList()).equals(List.of(fields).stream().sorted().collect(Collectors.toList()))) {
                throw new AssertionError("expected violations on " + List.of(fields) + " but were " + violationsOf(verdict));
            }
            return this;
        }

        public Then expectState(S expected) {
            S actual = verdict instanceof Verdict.Accepted<S> accepted ? accepted.state() : null;
            if (actual == null) {
                throw new AssertionError("expected a new state " + expected + " but the outcome was " + describe());
            }
            if (!actual.equals(expected)) {
                throw new AssertionError("expected state " + expected + " but was " + actual);
            }
            return this;
        }

        public Then expectVersion(long expected) {
            if (version() != expected) {
                throw new AssertionError("expected version " + expected + " but was " + version());
            }
            return this;
        }

        private String describe() {
            if (verdict instanceof Verdict.Refused<S> refused) {
                return refused.outcome() + " (" + refused.errorCode() + ": " + refused.message() + ", violations " + refused.violations() + ")";
            }
            if (verdict instanceof Verdict.Failed<S> failed) {
                return "FAILED (" + failed.message() + ")";
            }
            return outcome() + (verdict instanceof Verdict.Accepted<S> a ? " with events " + a.events() : "");
        }

        private String violationsOf(Verdict<S> v) {
            return v instanceof Verdict.Refused<S> refused ? refused.violations().toString() : "none";
        }
    }
}
