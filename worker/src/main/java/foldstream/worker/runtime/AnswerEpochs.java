package foldstream.worker.runtime;

import java.util.function.LongSupplier;

/**
 * Tells whether a task's answered-command store, which has no changelog, holds what the task last
 * committed. Kafka Streams commits a task's Kafka transaction first and its local stores after it,
 * so a crash in between, a task that moved to another instance and back, a wiped state directory
 * or an upgrade from the logged store all leave the local answers behind (or, after an aborted
 * transaction, ahead of) what {@code S-results} holds. The first answer after each commit writes a
 * fresh random epoch into the answered store and into the held-command store, whose changelog
 * Kafka Streams restores: both commit with the same task commit, so the local answers are exactly
 * the committed ones only while the two epochs agree. Otherwise they are written back from
 * {@code S-results} ({@link ResultsReplay}).
 *
 * <pre>{@code
 * AnswerEpochs epochs = new AnswerEpochs(answered, held, counter::commits, random::nextLong);
 * epochs.trustOrWriteBack(replay);   // in init
 * epochs.beforeAnswer();   // in process(), before answered.remember(...)
 * }</pre>
 */
final class AnswerEpochs {

    private final AnsweredCommands answered;
    private final HeldCommands held;
    private final LongSupplier commits;
    private final LongSupplier fresh;
    /** The task's commit count when the current epoch was written; none yet in this task's life. */
    private long epochAtCommits = -1;

    /**
     * @param commits the task's commit count ({@link CommitCounter#commits()})
     * @param fresh a source of random epochs
     */
    AnswerEpochs(AnsweredCommands answered, HeldCommands held, LongSupplier commits, LongSupplier fresh) {
        this.answered = answered;
        this.held = held;
        this.commits = commits;
        this.fresh = fresh;
    }

    /** Whether the local answers are the committed ones: both epochs present and equal. */
    boolean trusted() {
        Long local = answered.epoch();
        Long committed = held.answersEpoch();
        return local != null && local.equals(committed);
    }

    /** In a task's {@code init}: the local answers as they are when trusted, else written back from {@code S-results}. */
    void trustOrWriteBack(ResultsReplay replay) {
        if (!trusted()) {
            replay.writeBack(answered);
            writtenBack();
        }
    }

    /**
     * After the answers were written back from {@code S-results} (everything committed): they match
     * the held store's committed epoch. Writing only the local store here keeps a task's start free of
     * changelog writes; without a committed epoch (a first start) there is nothing to match, and the
     * next start writes back again unless an answer committed an epoch meanwhile.
     */
    void writtenBack() {
        Long committed = held.answersEpoch();
        if (committed != null) {
            answered.epoch(committed);
        }
    }

    /** Before an answer is remembered: the first one after each commit starts a new epoch, in both stores. */
    void beforeAnswer() {
        long now = commits.getAsLong();
        if (now != epochAtCommits) {
            long epoch = fresh.getAsLong();
            answered.epoch(epoch);
            held.answersEpoch(epoch);
            epochAtCommits = now;
        }
    }
}
