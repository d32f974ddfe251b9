package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.counters.Increment;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Idempotency that no producer-chosen timestamp or id can break (issue 11, item 5). */
class HostileClockTest {

    private final Worker worker = new Worker(ExampleTypes.all(),
            new ProcessingOptions(Duration.ofDays(7), 10_000, Duration.ofMinutes(10)));

    @AfterEach
    void close() {
        worker.close();
    }

    private void increment(String counter, String commandId, Instant timestamp) {
        Increment command = new Increment(1);
        byte[] value = worker.codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("ex_counters-commands", command.getSchema()), command);
        worker.sendRecord("ex_counters", new TestRecord<>(counter.getBytes(StandardCharsets.UTF_8), value,
                new RecordHeaders().add(COMMAND_ID, commandId.getBytes(StandardCharsets.UTF_8)), timestamp));
    }

    @Test
    void aRecordStampedFarInTheFutureDoesNotExpireOtherAnswers() {
        increment("c1", "x", Worker.START);
        increment("c2", "y", Worker.START.plus(Duration.ofDays(3650)));
        increment("c1", "x", Worker.START);

        List<Worker.Result> results = worker.results("ex_counters");
        assertThat(results).hasSize(3);
        assertThat(results.get(2).bytes()).isEqualTo(results.get(0).bytes());
        assertThat(worker.events("ex_counters")).hasSize(2);
    }

    @Test
    void answersExpireByTheWorkersClockNotByRecordTimestamps() {
        increment("c1", "x", Worker.START);
        worker.clock.advance(Duration.ofDays(7).plusMinutes(1));
        increment("c1", "x", Worker.START); // the same old timestamp: only the worker's clock moved

        List<Worker.Result> results = worker.results("ex_counters");
        assertThat(results).extracting(r -> r.result().getVersion()).containsExactly(1L, 2L);
    }

    @Test
    void idsContainingNulNeverShareAKey() {
        increment("a\u0000b", "c", Worker.START);
        increment("a", "b\u0000c", Worker.START);

        assertThat(worker.results("ex_counters")).extracting(r -> r.result().getOutcome(), r -> r.result().getVersion())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Outcome.ACCEPTED, 1L),
                        org.assertj.core.groups.Tuple.tuple(Outcome.ACCEPTED, 1L));
        assertThat(worker.events("ex_counters")).hasSize(2);
    }

    @Test
    void answersStoredUnderTheOldNulJoinedKeysAreStillFound() {
        increment("c1", "x", Worker.START);
        List<Worker.Result> first = worker.results("ex_counters");
        KeyValueStore<String, byte[]> store = worker.driver.getKeyValueStore(AggregateTopics.of("ex_counters").commandIdStore());
        // As a worker before the length-prefixed keys wrote it.
        byte[] stored = store.delete("2:c1x");
        assertThat(stored).isNotNull();
        store.put("c1\u0000x", stored);

        increment("c1", "x", Worker.START);
        List<Worker.Result> again = worker.results("ex_counters");
        assertThat(again).hasSize(1);
        assertThat(again.get(0).bytes()).isEqualTo(first.get(0).bytes());
        assertThat(worker.events("ex_counters")).hasSize(1);
    }

    @Test
    void aNegativeTimestampStillGetsAResult() {
        increment("c1", "before-1970", Instant.ofEpochMilli(-5));
        assertThat(worker.results("ex_counters")).extracting(r -> r.result().getOutcome()).containsExactly(Outcome.ACCEPTED);
    }
}
