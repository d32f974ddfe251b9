package foldstream.worker.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@link ProcessManager#react} answers: the instance's next state, the commands to send (in this
 * order), the deadlines to set or cancel, and whether it is finished. Immutable: each method returns a
 * new reaction.
 *
 * <pre>{@code
 * return Reaction.of(next)
 *         .send(SendCommand.to("ex_accounts", to, new Deposit(amount)))
 *         .setDeadline("deposit", Duration.ofSeconds(30))
 *         .cancelDeadline("withdrawal");
 *
 * return Reaction.of(next).send(SendCommand.to("ex_transfers", id, new CompleteTransfer())).finish();
 * }</pre>
 *
 * @param <S> the process's state record
 */
public sealed interface Reaction<S extends SpecificRecord> permits Reaction.Continue, Reaction.Finish {

    S state();

    List<SendCommand> commands();

    /** The instance goes on; its deadlines change as listed, in order. */
    record Continue<S extends SpecificRecord>(S state, List<SendCommand> commands, List<DeadlineChange> deadlines)
            implements Reaction<S> {
        public Continue {
            Objects.requireNonNull(state, "state");
            commands = List.copyOf(commands);
            deadlines = List.copyOf(deadlines);
        }

        public Continue<S> send(SendCommand command) {
            return new Continue<>(state, plus(commands, command), deadlines);
        }

        public Continue<S> setDeadline(String name, Duration after) {
            return new Continue<>(state, commands, plus(deadlines, new DeadlineChange.Set(name, after)));
        }

        public Continue<S> cancelDeadline(String name) {
            return new Continue<>(state, commands, plus(deadlines, new DeadlineChange.Cancel(name)));
        }

        /** Sends the commands, drops every deadline and finishes the instance. */
        public Finish<S> finish() {
            return new Finish<>(state, commands);
        }
    }

    /**
     * The instance is done after sending these commands: its deadlines are dropped, results of its
     * commands that still come are recorded but not reacted to, and it is kept as a marker for the
     * retention, then removed.
     */
    record Finish<S extends SpecificRecord>(S state, List<SendCommand> commands) implements Reaction<S> {
        public Finish {
            Objects.requireNonNull(state, "state");
            commands = List.copyOf(commands);
        }
    }

    /** The next state, nothing sent, no deadline changed; add to it with the {@link Continue} methods. */
    static <S extends SpecificRecord> Continue<S> of(S state) {
        return new Continue<>(state, List.of(), List.of());
    }

    private static <T> List<T> plus(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(Objects.requireNonNull(item));
        return copy;
    }
}
