package foldstream.it;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.counters.Incremented;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The checks the load tests rely on do fail when exactly-once is broken: each kind of break, made by hand. */
class ExactlyOnceChecksTest {

    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>();
    private final List<ConsumerRecord<byte[], byte[]>> events = new ArrayList<>();

    private void result(String command, String aggregate, Outcome outcome, long version, int eventCount) {
        CommandResult value = new CommandResult(command, "ex_counters", aggregate, outcome, version, eventCount, null, null,
                List.of(), Instant.EPOCH);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("ex_counters-results", 0, results.size(),
                aggregate.getBytes(StandardCharsets.UTF_8), codec.encode("ex_counters-results-value", value));
        record.headers().add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(command));
        results.add(record);
    }

    private void event(String aggregate, long version, String command, String eventId) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("ex_counters-events", 0, events.size(),
                aggregate.getBytes(StandardCharsets.UTF_8),
                codec.encode("ex_counters-events-foldstream.examples.counters.Incremented", new Incremented(1, version)));
        record.headers()
                .add(ContractHeaders.CAUSATION_ID, ContractHeaders.utf8(command))
                .add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version))
                .add(ContractHeaders.EVENT_ID, ContractHeaders.utf8(eventId));
        events.add(record);
    }

    private ExactlyOnceChecks checks() {
        return ExactlyOnceChecks.of(codec, results, events, id -> id.startsWith("run-"));
    }

    /** Two commands on one counter, one on another, one refused: all consistent. */
    private void consistentLog() {
        result("c1", "run-a", Outcome.ACCEPTED, 1, 1);
        event("run-a", 1, "c1", "e-a1");
        result("c2", "run-a", Outcome.ACCEPTED, 2, 1);
        event("run-a", 2, "c2", "e-a2");
        result("c3", "run-b", Outcome.ACCEPTED, 1, 1);
        event("run-b", 1, "c3", "e-b1");
        result("c4", "run-b", Outcome.NO_CHANGE, 1, 0);
    }

    @Test
    void aConsistentLogPassesEveryCheck() {
        consistentLog();
        result("other", "someone-else", Outcome.ACCEPTED, 9, 1);

        ExactlyOnceChecks checks = checks();

        assertThatCode(() -> checks.assertOneResultPerCommand(List.of("c1", "c2", "c3", "c4"))).doesNotThrowAnyException();
        assertThatCode(checks::assertEventsContiguousAndUnique).doesNotThrowAnyException();
        assertThatCode(checks::assertEventsAreThoseOfAcceptedResults).doesNotThrowAnyException();
    }

    @Test
    void aMissingADoubledAndAnUnsentResultFail() {
        consistentLog();
        result("c2", "run-a", Outcome.ACCEPTED, 2, 1);
        result("c9", "run-a", Outcome.NO_CHANGE, 2, 0);

        assertThatThrownBy(() -> checks().assertOneResultPerCommand(List.of("c1", "c2", "c3", "c4", "c5")))
                .hasMessageContaining("3 problems")
                .hasMessageContaining("command c2 has 2 results for 1 sends")
                .hasMessageContaining("command c5 has 0 results for 1 sends")
                .hasMessageContaining("c9, which was never sent");
    }

    @Test
    void aCommandSentAgainMustGetItsFirstResultAgain() {
        consistentLog();
        result("c1", "run-a", Outcome.ACCEPTED, 1, 1);   // its first result again: fine
        result("c3", "run-b", Outcome.ACCEPTED, 2, 1);   // decided afresh

        assertThatThrownBy(() -> checks().assertOneResultPerSend(List.of("c1", "c2", "c3", "c4", "c1", "c3", "c4")))
                .hasMessageContaining("2 problems")
                .hasMessageContaining("command c3 sent 2 times got different results")
                .hasMessageContaining("command c4 has 1 results for 2 sends");
    }

    @Test
    void aGapARepeatedVersionAndARepeatedEventIdFail() {
        consistentLog();
        event("run-a", 2, "c2", "e-a2");
        event("run-b", 3, "c5", "e-b3");

        assertThatThrownBy(() -> checks().assertEventsContiguousAndUnique())
                .hasMessageContaining("run-a: version 2 at ex_counters-events/0/3 where 3 was expected")
                .hasMessageContaining("event id e-a2")
                .hasMessageContaining("run-b: version 3 at ex_counters-events/0/4 where 2 was expected");
    }

    @Test
    void anAcceptedCommandWithoutItsEventsAndEventsOfNoAcceptedCommandFail() {
        result("c1", "run-a", Outcome.ACCEPTED, 2, 2);
        event("run-a", 1, "c1", "e-a1");
        result("c2", "run-a", Outcome.REJECTED, 1, 0);
        event("run-a", 2, "c2", "e-a2");

        assertThatThrownBy(() -> checks().assertEventsAreThoseOfAcceptedResults())
                .hasMessageContaining("c1 is ACCEPTED with 2 events but caused 1")
                .hasMessageContaining("event of version 2 of run-a at ex_counters-events/0/1 was caused by c2")
                .hasMessageContaining("c2 is REJECTED with eventCount 0 but caused 1 events")
                .hasMessageContaining("caused by c2, which has no ACCEPTED result");
    }
}
