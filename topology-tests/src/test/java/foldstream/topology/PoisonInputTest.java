package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records that used to stop a partition for good (issue 11): each ends in one result, the worker
 * goes on, and nothing half-written is left behind.
 */
class PoisonInputTest {

    /**
     * A counter whose code misbehaves on purpose: decide throws an {@link Error} on 13 and emits a
     * 2 MB event on 99, rejects with a 2 MB message on 98; evolve mutates its input and then throws
     * on 14.
     */
    static final class HostileCounters implements Aggregate<CounterState> {
        @Override
        public CounterState initialState() {
            return new CounterState(0L);
        }

        @Override
        public Decision decide(CounterState state, SpecificRecord command) {
            int by = ((Increment) command).getBy();
            if (by == 13) {
                throw new AssertionError("an Error from decide");
            }
            if (by == 99) {
                return Decision.emit(new ProfileSet("x".repeat(2_000_000)));
            }
            if (by == 98) {
                return Decision.reject("TOO_MUCH", "y".repeat(2_000_000));
            }
            return Decision.emit(new Incremented(by, state.getValue() + by));
        }

        @Override
        public CounterState evolve(CounterState state, SpecificRecord event) {
            if (event instanceof ProfileSet) {
                return state;
            }
            Incremented e = (Incremented) event;
            state.setValue(e.getValue()); // mutates its input, which it must not be able to do to the cache
            if (e.getBy() == 14) {
                throw new IllegalStateException("evolve fails after mutating");
            }
            return state;
        }
    }

    static final AggregateType<CounterState> HOSTILE = AggregateType.builder("hostile", CounterState.class, new HostileCounters())
            .command(Increment.class, Creation.EITHER)
            .events(Incremented.class, ProfileSet.class)
            .build();

    /** initialState itself throws. */
    static final AggregateType<CounterState> NO_START = AggregateType.builder("nostart", CounterState.class, new Aggregate<CounterState>() {
        @Override
        public CounterState initialState() {
            throw new ExceptionInInitializerError("initialState fails");
        }

        @Override
        public Decision decide(CounterState state, SpecificRecord command) {
            return Decision.noChange();
        }

        @Override
        public CounterState evolve(CounterState state, SpecificRecord event) {
            return state;
        }
    }).command(Increment.class, Creation.EITHER).events(Incremented.class).build();

    private Worker worker = new Worker(List.of(HOSTILE, NO_START, ExampleTypes.all().get(0)));

    @AfterEach
    void close() {
        worker.close();
    }

    private byte[] registerUser() {
        RegisterUser command = new RegisterUser("ann@example.com", "Annabelle Lee");
        return worker.codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("ex_users-commands", command.getSchema()), command);
    }

    /** The wire header of a good RegisterUser, then a body that declares a string of {@code length} bytes and ends. */
    private byte[] declaringString(long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(registerUser(), 0, 5);
        long zigzag = (length << 1) ^ (length >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        return out.toByteArray();
    }

    private CommandResult onlyResult(String type) {
        List<Worker.Result> results = worker.results(type);
        assertThat(results).hasSize(1);
        return results.get(0).result();
    }

    @Test
    void aTenByteValueDeclaringATwoGigabyteStringIsMalformedWithoutAllocatingIt() {
        byte[] value = declaringString(2_000_000_000L);
        assertThat(value.length).isLessThanOrEqualTo(10);
        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), value, COMMAND_ID, "huge");

        CommandResult result = onlyResult("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.getMessage()).contains("declares 2000000000 bytes where 0 remain");
        assertThat(worker.raw("ex_users-dlq")).hasSize(1);

        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabelle Lee"));
        assertThat(onlyResult("ex_users").getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void aKeyOverTheAggregateIdLimitIsMalformedAndItsResultCarriesNoKey() {
        byte[] key = "k".repeat(1025).getBytes(StandardCharsets.UTF_8);
        worker.sendRaw("ex_users", key, registerUser(), COMMAND_ID, "long-key");

        List<Worker.Result> results = worker.results("ex_users");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).result().getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(results.get(0).result().getMessage()).contains("1025 bytes", "foldstream.limits.aggregate-id-bytes");
        assertThat(results.get(0).key()).isNull();
        assertThat(results.get(0).result().getCommandId()).isEqualTo("long-key");
        assertThat(worker.raw("ex_users-dlq")).hasSize(1);
    }

    @Test
    void oversizeCommandIdHeaderAndValueAreMalformed() {
        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), registerUser(), COMMAND_ID, "c".repeat(1025));
        assertThat(onlyResult("ex_users").getMessage()).contains("command-id header is 1025 bytes");

        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), registerUser(), "trace", "t".repeat(9000));
        assertThat(onlyResult("ex_users").getMessage()).contains("header 'trace'", "foldstream.limits.header-bytes");

        byte[] big = Arrays.copyOf(registerUser(), 600_000);
        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), big, COMMAND_ID, "big");
        assertThat(onlyResult("ex_users").getMessage()).contains("600000 bytes", "foldstream.limits.value-bytes");
        assertThat(worker.raw("ex_users-dlq")).hasSize(3);
    }

    @Test
    void limitsAreSetWithFoldstreamLimitsProperties() {
        worker.close();
        worker = new Worker(ExampleTypes.all(), Map.of("foldstream.limits.aggregate-id-bytes", "4"));
        worker.sendRaw("ex_users", "abcde".getBytes(StandardCharsets.UTF_8), registerUser());
        assertThat(onlyResult("ex_users").getMessage()).contains("5 bytes, over the aggregate id limit of 4");
        worker.sendRaw("ex_users", "abcd".getBytes(StandardCharsets.UTF_8), registerUser());
        assertThat(onlyResult("ex_users").getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void keysThatAreNotUtf8AreMalformedAndNeverShareAnAggregate() {
        byte[] first = {'u', (byte) 0xff};
        byte[] second = {'u', (byte) 0xfe};
        worker.sendRaw("ex_users", first, registerUser(), COMMAND_ID, "a");
        worker.sendRaw("ex_users", second, registerUser(), COMMAND_ID, "b");

        assertThat(worker.results("ex_users")).extracting(r -> r.result().getOutcome(), r -> r.result().getMessage())
                .containsOnly(org.assertj.core.groups.Tuple.tuple(Outcome.MALFORMED,
                        "the key is not valid UTF-8: the key must be the aggregate id as UTF-8 text"));
        assertThat(worker.raw("ex_users-dlq")).extracting(TestRecord::key).containsExactly(first, second);
        assertThat(worker.events("ex_users")).isEmpty();
    }

    @Test
    void aCommandIdHeaderThatIsNotUtf8IsMalformed() {
        org.apache.kafka.common.header.Headers headers = new RecordHeaders().add(COMMAND_ID, new byte[] {(byte) 0xc3, (byte) 0x28});
        worker.sendRecord("ex_users", new TestRecord<>("u1".getBytes(StandardCharsets.UTF_8), registerUser(), headers, Worker.START));
        CommandResult result = onlyResult("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.getMessage()).isEqualTo("the command-id header is not valid UTF-8");
    }

    @Test
    void anErrorFromDecideIsFailedAndTheNextCommandGoesOn() {
        worker.send("hostile", "c1", new Increment(1));
        worker.send("hostile", "c1", new Increment(13), COMMAND_ID, "error");
        worker.send("hostile", "c1", new Increment(2));

        List<Worker.Result> results = worker.results("hostile");
        assertThat(results).extracting(r -> r.result().getOutcome()).containsExactly(Outcome.ACCEPTED, Outcome.FAILED, Outcome.ACCEPTED);
        assertThat(results.get(1).result().getMessage()).contains("AssertionError: an Error from decide");
        assertThat(results.get(2).result().getVersion()).isEqualTo(2);
    }

    @Test
    void aThrowingInitialStateIsFailed() {
        worker.send("nostart", "n1", new Increment(1), COMMAND_ID, "first");
        CommandResult result = onlyResult("nostart");
        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.getMessage()).contains("initialState threw", "initialState fails");
        assertThat(worker.snapshot(NO_START, "n1")).isNull();
    }

    @Test
    void anEventOverTheProducersLimitIsFailedWithNothingWritten() {
        worker.send("hostile", "c1", new Increment(1));
        worker.results("hostile");
        worker.events("hostile");

        worker.send("hostile", "c1", new Increment(99), COMMAND_ID, "bloat");
        CommandResult result = onlyResult("hostile");
        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.getMessage()).contains("event 1 on hostile-events would be", "max.request.size of 1048576", "nothing was written");
        assertThat(result.getVersion()).isEqualTo(1);
        assertThat(worker.events("hostile")).isEmpty();
        assertThat(worker.snapshot(HOSTILE, "c1").version()).isEqualTo(1);

        worker.send("hostile", "c1", new Increment(2));
        assertThat(onlyResult("hostile").getVersion()).isEqualTo(2);
    }

    @Test
    void aRefusalTooLargeToWriteIsFailedInAResultThatFits() {
        worker.send("hostile", "c1", new Increment(98), COMMAND_ID, "loud");
        List<Worker.Result> results = worker.results("hostile");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).result().getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(results.get(0).result().getMessage()).contains("the result would be");
        assertThat(results.get(0).bytes().length).isLessThan(10_000);
    }

    @Test
    void anEvolveThatMutatesItsInputAndThrowsLeavesTheCacheAsTheStoreHasIt() {
        worker.send("hostile", "c1", new Increment(5));
        worker.send("hostile", "c1", new Increment(14), COMMAND_ID, "mutate-then-throw");
        worker.send("hostile", "c1", new Increment(1));

        List<Worker.Result> results = worker.results("hostile");
        assertThat(results).extracting(r -> r.result().getOutcome()).containsExactly(Outcome.ACCEPTED, Outcome.FAILED, Outcome.ACCEPTED);
        // 5 then 1: the failed 14 left no trace, in the cache or the store.
        assertThat(worker.events("hostile")).extracting(e -> ((Incremented) e.event()).getValue()).containsExactly(5L, 6L);
        assertThat(worker.snapshot(HOSTILE, "c1").state().getValue()).isEqualTo(6L);
    }

    @Test
    void aDeadLetterOverTheProducersLimitIsCutToFitAndSaysSo() {
        worker.close();
        worker = new Worker(ExampleTypes.all(), Map.of("foldstream.limits.value-bytes", "2000000"));
        byte[] value = new byte[1_048_000];
        value[0] = 7; // not the wire format's magic byte
        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), value, COMMAND_ID, "near-limit", "trace", "t".repeat(4000));

        CommandResult result = onlyResult("ex_users");
        assertThat(result.getOutcome()).isEqualTo(Outcome.MALFORMED);
        List<TestRecord<byte[], byte[]>> dead = worker.raw("ex_users-dlq");
        assertThat(dead).hasSize(1);
        Map<String, String> headers = Worker.headers(dead.get(0));
        assertThat(headers.get(ContractHeaders.DLQ_TRUNCATED)).startsWith("value cut from 1048000 bytes to ");
        assertThat(headers).containsEntry("trace", "t".repeat(4000)).containsKey(ContractHeaders.DLQ_ERROR);
        assertThat(dead.get(0).value().length).isLessThan(1_048_000).isGreaterThan(1_000_000);
        assertThat(dead.get(0).value()[0]).isEqualTo((byte) 7);
    }

    @Test
    void aDeclaredLengthBeyondTheValueIsCaughtBeforeAvroAllocates() {
        // A valid command, then its email's length varint replaced by one that promises more than is there.
        byte[] good = registerUser();
        byte[] bad = declaringString(good.length);
        byte[] value = ByteBuffer.allocate(bad.length + good.length - 6).put(bad).put(good, 6, good.length - 6).array();
        worker.sendRaw("ex_users", "u1".getBytes(StandardCharsets.UTF_8), value, COMMAND_ID, "lying");
        assertThat(onlyResult("ex_users").getMessage()).contains("declares " + good.length + " bytes where");
    }

    @Test
    void aStoredSnapshotThatCannotBeReadFailsItsCommandsSayingSoAndTheWorkerGoesOn() {
        // A state directory restored against another registry, say: bytes no schema here reads. Such a
        // command was skipped after its retries, with no result at all.
        KeyValueStore<String, byte[]> store = worker.driver.getKeyValueStore(AggregateTopics.of("ex_users").snapshotStore());
        store.put("u1", new byte[] {9, 9, 9});

        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabelle Lee"), COMMAND_ID, "c1");
        worker.send("ex_users", "u2", new RegisterUser("bob@example.com", "Bob Ross"), COMMAND_ID, "c2");

        List<Worker.Result> results = worker.results("ex_users");
        assertThat(results).extracting(Worker.Result::key).containsExactly("u1", "u2");
        assertThat(results.get(0).result().getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(results.get(0).result().getMessage()).contains("ex_users 'u1'", "stored snapshot cannot be read", "nothing was written");
        assertThat(results.get(1).result().getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(worker.events("ex_users")).extracting(Worker.Event::key).doesNotContain("u1").contains("u2");

        // Not remembered: once the store is repaired, the same command is decided afresh.
        store.delete("u1");
        worker.send("ex_users", "u1", new RegisterUser("ann@example.com", "Annabelle Lee"), COMMAND_ID, "c1");
        assertThat(onlyResult("ex_users").getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }
}
