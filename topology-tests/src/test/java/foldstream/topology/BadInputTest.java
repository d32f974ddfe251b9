package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static foldstream.worker.runtime.ContractHeaders.DLQ_ERROR;
import static foldstream.worker.runtime.ContractHeaders.DLQ_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.users.RegisterUser;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commands that cannot be read: MALFORMED, the raw record on S-dlq, and the next command on the
 * partition is still processed.
 */
class BadInputTest {

    private final Worker worker = new Worker(ExampleTypes.all());

    @AfterEach
    void close() {
        worker.close();
    }

    /** A bad command: its key, and its value made from a good command's bytes. */
    record Bad(String name, byte[] key, UnaryOperator<byte[]> value, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Bad> badCommands() {
        return List.of(
                new Bad("wrong magic byte", "u1".getBytes(), good -> {
                    byte[] bytes = good.clone();
                    bytes[0] = 7;
                    return bytes;
                }, "magic byte"),
                new Bad("truncated body", "u1".getBytes(), good -> Arrays.copyOf(good, good.length - 4), "cannot read"),
                new Bad("header only", "u1".getBytes(), good -> Arrays.copyOf(good, 5), "cannot read"),
                new Bad("shorter than the header", "u1".getBytes(), good -> new byte[] {0, 0}, "shorter"),
                new Bad("unknown schema id", "u1".getBytes(), good -> {
                    byte[] bytes = good.clone();
                    ByteBuffer.wrap(bytes, 1, 4).putInt(9999);
                    return bytes;
                }, "unknown schema id 9999"),
                new Bad("no value", "u1".getBytes(), good -> null, "no value"),
                new Bad("trailing garbage", "u1".getBytes(), good -> concat(good, new byte[] {1, 2, 3}), "trailing"),
                new Bad("no key", null, good -> good, "no key"),
                new Bad("empty key", new byte[0], good -> good, "no key"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void badCommandIsMalformedGoesToTheDeadLetterTopicAndProcessingGoesOn(Bad bad) {
        worker.send("ex_users", "warmup", new RegisterUser("w@example.com", "Warmup"));
        worker.results("ex_users");
        worker.events("ex_users");

        byte[] good = worker.codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("ex_users-commands",
                RegisterUser.getClassSchema()), new RegisterUser("ann@example.com", "Annabel"));
        byte[] value = bad.value().apply(good);
        worker.sendRaw("ex_users", bad.key(), value, COMMAND_ID, "bad", "x-trace", "t-1");
        worker.send("ex_users", "u2", new RegisterUser("bob@example.com", "Bobby Tables"));

        List<Worker.Result> results = worker.results("ex_users");
        assertThat(results).hasSize(2);
        CommandResult malformed = results.get(0).result();
        assertThat(malformed.getOutcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(malformed.getCommandId()).isEqualTo("bad");
        assertThat(malformed.getMessage()).contains(bad.reason());
        assertThat(malformed.getEventCount()).isZero();
        assertThat(results.get(1).result().getOutcome()).isEqualTo(Outcome.ACCEPTED);

        List<TestRecord<byte[], byte[]>> dead = worker.raw("ex_users-dlq");
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo(bad.key());
        assertThat(dead.get(0).value()).isEqualTo(value);
        Map<String, String> headers = Worker.headers(dead.get(0));
        assertThat(headers).containsEntry(COMMAND_ID, "bad").containsEntry("x-trace", "t-1")
                .containsEntry(DLQ_SOURCE, "ex_users-commands/0/1");
        assertThat(headers.get(DLQ_ERROR)).contains(bad.reason());
        assertThat(worker.events("ex_users")).extracting(Worker.Event::key).containsExactly("u2", "u2");
    }
}
