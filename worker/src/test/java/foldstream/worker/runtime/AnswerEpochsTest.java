package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The answered-command store without a changelog: trusted only while its epoch is the one the held
 * store committed, else written back from {@code S-results} with exactly the answers that were
 * remembered; the reserved keys never show as held commands or answers.
 */
class AnswerEpochsTest {

    private static final String RESULTS = AggregateTopics.of("ex_accounts").results();
    private static final Duration WINDOW = Duration.ofDays(7);

    private final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> answeredStore = store(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("answered"), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build());
    private final KeyValueStore<Long, byte[]> heldStore = store(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("held"), Serdes.Long(), Serdes.ByteArray()).withLoggingDisabled().build());
    private long now = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong nextEpoch = new AtomicLong(100);
    private final AnsweredCommands answered = new AnsweredCommands(answeredStore, WINDOW, () -> now);
    private final HeldCommands held = new HeldCommands(heldStore);
    private final AnswerEpochs epochs = new AnswerEpochs(answered, held, commits::get, nextEpoch::incrementAndGet);
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>();
    private final ResultsReplay replay = new ResultsReplay("ex_accounts", codec,
            (config, topic, partition, each) -> results.stream().filter(r -> r.topic().equals(topic)).forEach(each), java.util.Map.of(), 0);

    private <S extends org.apache.kafka.streams.processor.StateStore> S store(S store) {
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @Test
    void trustedOnlyWhenBothEpochsArePresentAndEqual() {
        assertThat(epochs.trusted()).as("a new store (first start, upgrade, wiped directory)").isFalse();
        answered.epoch(7);
        assertThat(epochs.trusted()).as("no committed epoch").isFalse();
        held.answersEpoch(8);
        assertThat(epochs.trusted()).as("the local answers are of another commit").isFalse();
        held.answersEpoch(7);
        assertThat(epochs.trusted()).isTrue();
        answeredStore.delete(AnsweredCommands.EPOCH_KEY);
        assertThat(epochs.trusted()).as("a committed epoch, a store without one").isFalse();
    }

    @Test
    void theFirstAnswerAfterEachCommitStartsANewEpochInBothStores() {
        epochs.beforeAnswer();
        Long first = answered.epoch();
        epochs.beforeAnswer();
        assertThat(answered.epoch()).isEqualTo(first).isEqualTo(held.answersEpoch());

        commits.incrementAndGet();
        epochs.beforeAnswer();
        assertThat(answered.epoch()).isNotEqualTo(first).isEqualTo(held.answersEpoch());
        assertThat(epochs.trusted()).isTrue();
    }

    @Test
    void aCrashBeforeTheCommitLeavesTheLocalAnswersUntrusted() {
        epochs.beforeAnswer();
        long committed = held.answersEpoch();
        commits.incrementAndGet();
        epochs.beforeAnswer(); // answers of a transaction that is then aborted
        answered.remember("a1", "c-aborted", bytes("x"));
        held.answersEpoch(committed); // the held store as its changelog restores it

        assertThat(epochs.trusted()).isFalse();
        results.add(result(0, "a1", "c-1", Outcome.ACCEPTED, now));
        epochs.trustOrWriteBack(replay);

        assertThat(answered.firstAnswer("a1", "c-aborted")).as("not on S-results: decided again").isNull();
        assertThat(answered.firstAnswer("a1", "c-1")).isEqualTo(results.get(0).value());
        assertThat(epochs.trusted()).isTrue();
    }

    @Test
    void writesBackExactlyTheAnswersThatWereRemembered() {
        results.add(result(0, "a1", "accepted", Outcome.ACCEPTED, now - 1_000));
        results.add(result(1, "a1", "refused", Outcome.REJECTED, now - 1_000));
        results.add(result(2, "a1", "unchanged", Outcome.NO_CHANGE, now - 1_000));
        results.add(result(3, "a1", "failed", Outcome.FAILED, now - 1_000));
        results.add(result(4, "a1", "malformed", Outcome.MALFORMED, now - 1_000));
        results.add(result(5, null, "no-key", Outcome.MALFORMED, now - 1_000));
        results.add(result(6, "a1", "expired", Outcome.ACCEPTED, now - WINDOW.toMillis() - 1));
        results.add(result(7, "a2", "accepted", Outcome.ACCEPTED, now - 500));
        results.add(new ConsumerRecord<>(RESULTS, 0, 8, "a3".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}));
        results.add(new ConsumerRecord<>(AggregateTopics.of("ex_accounts").events(), 0, 0, bytes("a9"), bytes("not a result")));

        ResultsReplay.Replayed done = replay.writeBack(answered);

        assertThat(done.read()).isEqualTo(9);
        assertThat(done.remembered()).isEqualTo(4);
        assertThat(done.unreadable()).isEqualTo(1);
        assertThat(answered.firstAnswer("a1", "accepted")).isEqualTo(results.get(0).value());
        assertThat(answered.firstAnswer("a1", "refused")).isEqualTo(results.get(1).value());
        assertThat(answered.firstAnswer("a1", "unchanged")).isEqualTo(results.get(2).value());
        assertThat(answered.firstAnswer("a2", "accepted")).isEqualTo(results.get(7).value());
        assertThat(answered.firstAnswer("a1", "failed")).as("decided afresh on a retry").isNull();
        assertThat(answered.firstAnswer("a1", "malformed")).isNull();
        assertThat(answered.firstAnswer("a1", "expired")).isNull();
        assertThat(answered.epoch()).as("nothing committed an epoch yet").isNull();
    }

    @Test
    void anAnswerWrittenBackExpiresWhenItsOriginalWould() {
        results.add(result(0, "a1", "c-1", Outcome.ACCEPTED, now - WINDOW.toMillis() + 1_000));
        replay.writeBack(answered);
        assertThat(answered.firstAnswer("a1", "c-1")).isNotNull();

        now += 2_000;
        assertThat(answered.firstAnswer("a1", "c-1")).isNull();
    }

    @Test
    void theReservedKeysAreNeitherHeldCommandsNorAnswers() {
        held.answersEpoch(42);
        assertThat(held.isEmpty()).isTrue();
        assertThat(held.peek()).isEmpty();
        held.add(new Record<>(bytes("a1"), bytes("v"), 0L, new RecordHeaders()), new Place());
        assertThat(held.poll()).isPresent();
        assertThat(held.poll()).isEmpty();
        assertThat(held.answersEpoch()).isEqualTo(42);

        answered.epoch(42);
        answered.remember("a1", "c-1", bytes("r"));
        now += WINDOW.toMillis() + 1;
        answered.sweep();
        assertThat(answered.epoch()).as("the sweep passes the epoch by").isEqualTo(42);
        assertThat(answeredStore.get(AnsweredCommands.key("a1", "c-1"))).as("swept").isNull();
        assertThat(AnsweredCommands.EPOCH_KEY).isNotEqualTo(AnsweredCommands.key("", ""));
        assertThat(AnsweredCommands.EPOCH_KEY.charAt(0)).as("no aggregate id is empty, no length prefix starts so")
                .isEqualTo('\u0000');
    }

    private ConsumerRecord<byte[], byte[]> result(long offset, String aggregateId, String commandId, Outcome outcome, long at) {
        CommandResult result = new CommandResult(commandId, "ex_accounts", aggregateId, outcome, 1L, 0, null, null, List.of(),
                Instant.ofEpochMilli(at));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(RESULTS, result.getSchema()), result);
        return new ConsumerRecord<>(RESULTS, 0, offset, aggregateId == null ? null : bytes(aggregateId), value);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private record Place() implements org.apache.kafka.streams.processor.api.RecordMetadata {
        @Override
        public String topic() {
            return "ex_accounts-commands";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 0;
        }
    }
}
