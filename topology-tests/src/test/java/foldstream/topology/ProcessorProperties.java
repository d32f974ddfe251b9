package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.Increment;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The processor over random and mutated records mixed with valid commands: exactly one result per
 * record, in order; every MALFORMED one in the DLQ; valid commands accepted with contiguous versions.
 */
class ProcessorProperties {

    /** One record to send: a valid Increment, or a kind of damage done to one. */
    record Input(String kind, int counter, int by, byte[] noise, int amount) {
        boolean valid() {
            return kind.equals("valid");
        }
    }

    @Provide
    Arbitrary<List<Input>> inputs() {
        Arbitrary<Input> input = net.jqwik.api.Combinators.combine(
                Arbitraries.of("valid", "valid", "valid", "random", "truncated", "flipped", "huge-length", "bad-key", "huge-header",
                        "keyless", "bad-command-id", "huge-key"),
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(1, 1000),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64), Arbitraries.integers().between(1, Integer.MAX_VALUE))
                .as(Input::new);
        return input.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 12)
    void everyRecordGetsExactlyOneResultAndValidCommandsKeepTheirInvariants(@ForAll("inputs") List<Input> inputs) {
        try (Worker worker = new Worker(ExampleTypes.all())) {
            for (int i = 0; i < inputs.size(); i++) {
                worker.sendRecord("ex_counters", record(worker, inputs.get(i), "cmd-" + i));
            }
            List<Worker.Result> results = worker.results("ex_counters");
            assertThat(results).hasSize(inputs.size());
            Map<String, Long> accepted = new HashMap<>();
            int malformed = 0;
            for (int i = 0; i < inputs.size(); i++) {
                CommandResult result = results.get(i).result();
                Input input = inputs.get(i);
                if (!input.kind().equals("bad-command-id")) {
                    assertThat(result.getCommandId()).isEqualTo("cmd-" + i);
                }
                if (input.valid()) {
                    assertThat(result.getOutcome()).isEqualTo(Outcome.ACCEPTED);
                    long version = accepted.merge("c" + input.counter(), 1L, Long::sum);
                    assertThat(result.getVersion()).isEqualTo(version);
                } else if (!input.kind().equals("flipped") && !input.kind().equals("random")) {
                    assertThat(result.getOutcome()).as(input.kind()).isEqualTo(Outcome.MALFORMED);
                }
                if (result.getOutcome() == Outcome.MALFORMED) {
                    malformed++;
                } else if (result.getOutcome() == Outcome.ACCEPTED && !input.valid()) {
                    // A mutation that still reads as an Increment on a readable key: a command like any other.
                    accepted.merge(result.getAggregateId(), 1L, Long::sum);
                }
            }
            assertThat(worker.raw("ex_counters-dlq")).hasSize(malformed);
            Map<String, Long> versions = new HashMap<>();
            for (Worker.Event event : worker.events("ex_counters")) {
                long next = versions.merge(event.key(), 1L, Long::sum);
                assertThat(event.version()).isEqualTo(next);
            }
            assertThat(versions).isEqualTo(accepted);
        }
    }

    private static byte[] valid(Worker worker, int by) {
        Increment command = new Increment(by);
        return worker.codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("ex_counters-commands", command.getSchema()), command);
    }

    private static TestRecord<byte[], byte[]> record(Worker worker, Input input, String commandId) {
        byte[] key = ("c" + input.counter()).getBytes(StandardCharsets.UTF_8);
        byte[] value = valid(worker, input.by());
        Headers headers = new RecordHeaders().add(ContractHeaders.COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8));
        byte[] noise = input.noise();
        switch (input.kind()) {
            case "random" -> value = noise;
            case "truncated" -> value = Arrays.copyOf(value, Math.max(0, value.length - 1 - input.amount() % value.length));
            case "flipped" -> {
                for (byte b : noise) {
                    int bit = Math.floorMod(b * 31 + input.amount(), value.length * 8);
                    value[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                value[0] = noise.length == 0 ? 1 : value[0]; // no flips at all would be a valid command
            }
            case "huge-length" -> {
                value = Arrays.copyOf(value, 10);
                long zigzag = (long) input.amount() << 1;
                for (int i = 5; i < 10; i++) {
                    value[i] = (byte) ((zigzag & 0x7F) | (i < 9 ? 0x80 : 0));
                    zigzag >>>= 7;
                }
                value = Arrays.copyOf(value, 5); // an Increment's int can't declare a length: make it end inside the number
                value = concat(value, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
            }
            case "bad-key" -> key = new byte[] {'c', (byte) 0xc0, (byte) 0x80};
            case "huge-header" -> headers.add("trace", new byte[9_000 + input.by()]);
            case "keyless" -> key = null;
            case "bad-command-id" -> headers = new RecordHeaders().add(ContractHeaders.COMMAND_ID, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80});
            case "huge-key" -> key = new byte[2_000 + input.by()];
            default -> { }
        }
        return new TestRecord<>(key, value, headers, Worker.START);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
