package foldstream.topology;

import static foldstream.worker.runtime.ContractHeaders.COMMAND_ID;
import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.observe.PartitionActivity;
import foldstream.worker.observe.TraceHeaders;
import foldstream.worker.observe.WorkerMetrics;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The processor's meters count what it writes, and trace context travels from a command to its events and result. */
class ObservabilityTest {

    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry, System::currentTimeMillis);
    private final Worker worker = new Worker(ExampleTypes.all(), ProcessingOptions.DEFAULTS,
            (config, topic, partition, each) -> { }, new InMemorySchemaRegistry(), metrics);

    @AfterEach
    void close() {
        worker.close();
    }

    @Test
    void countersMatchWhatWasWritten() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1");
        worker.send("ex_accounts", "a1", new Deposit(10L));
        worker.send("ex_accounts", "a1", new Withdraw(99L));                       // REJECTED
        worker.send("ex_accounts", "a2", new Deposit(1L));                         // NOT_FOUND
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), COMMAND_ID, "open-1"); // a duplicate
        worker.sendRaw("ex_accounts", "a1".getBytes(), new byte[] {9, 9, 9});      // MALFORMED

        List<Worker.Result> results = worker.results("ex_accounts");
        assertThat(results).hasSize(6);
        Map<Outcome, Integer> written = new HashMap<>();
        results.subList(0, 4).forEach(r -> written.merge(r.result().getOutcome(), 1, Integer::sum));
        written.merge(results.get(5).result().getOutcome(), 1, Integer::sum);
        assertThat(written).containsOnlyKeys(Outcome.ACCEPTED, Outcome.REJECTED, Outcome.NOT_FOUND, Outcome.MALFORMED);
        for (Outcome outcome : Outcome.values()) {
            assertThat(count("foldstream.commands", "outcome", outcome.name())).as(outcome.name())
                    .isEqualTo(written.getOrDefault(outcome, 0));
        }
        assertThat(count("foldstream.duplicates")).isEqualTo(1);
        assertThat(count("foldstream.dlq.records")).isEqualTo(worker.raw(AggregateTopics.of("ex_accounts").dlq()).size()).isEqualTo(1);
        assertThat(count("foldstream.events.written")).isEqualTo(worker.events("ex_accounts").size()).isEqualTo(2);
        // Every command that reached decide (not the duplicate, not the unreadable one) was timed.
        assertThat(registry.get("foldstream.decide").tag("type", "ex_accounts").timer().count()).isEqualTo(4);
        assertThat(registry.get("foldstream.command.process").tag("type", "ex_accounts").timer().count()).isEqualTo(6);
        assertThat(registry.get("foldstream.command.end.to.end").tag("type", "ex_accounts").timer().count()).isEqualTo(5);

        PartitionActivity partition = metrics.partition("ex_accounts", 0);
        assertThat(partition.owned()).isTrue();
        assertThat(partition.inFlightMillis()).isZero();
        assertThat(registry.get("foldstream.cache.hits").tag("type", "ex_accounts").functionCounter().count()).isGreaterThan(0);
        assertThat(registry.get("foldstream.cache.size").tag("type", "ex_accounts").gauge().value()).isEqualTo(1);
    }

    @Test
    void aCommandsTraceContextIsCarriedToItsEventsAndResult() {
        String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        worker.send("ex_accounts", "a1", new OpenAccount("ann"), TraceHeaders.TRACEPARENT, parent,
                TraceHeaders.TRACESTATE, "vendor=x");

        assertThat(worker.events("ex_accounts")).singleElement().satisfies(event -> assertThat(event.headers())
                .containsEntry(TraceHeaders.TRACEPARENT, parent).containsEntry(TraceHeaders.TRACESTATE, "vendor=x"));
        assertThat(worker.results("ex_accounts")).singleElement().satisfies(result -> assertThat(result.headers())
                .containsEntry(TraceHeaders.TRACEPARENT, parent).containsEntry(TraceHeaders.TRACESTATE, "vendor=x"));
    }

    @Test
    void aCommandWithoutOneOrWithAnInvalidOneStartsANewTrace() {
        worker.send("ex_accounts", "a1", new OpenAccount("ann"));
        worker.send("ex_accounts", "a1", new Deposit(5L), TraceHeaders.TRACEPARENT, "00-00000000000000000000000000000000-b7ad6b7169203331-01");

        List<Worker.Event> events = worker.events("ex_accounts");
        List<Worker.Result> results = worker.results("ex_accounts");
        for (int i = 0; i < 2; i++) {
            String trace = results.get(i).headers().get(TraceHeaders.TRACEPARENT);
            assertThat(trace).matches(TRACEPARENT);
            assertThat(events.get(i).headers()).containsEntry(TraceHeaders.TRACEPARENT, trace);
        }
        assertThat(results.get(0).headers().get(TraceHeaders.TRACEPARENT).substring(3, 35))
                .isNotEqualTo(results.get(1).headers().get(TraceHeaders.TRACEPARENT).substring(3, 35));
    }

    private int count(String name, String... tags) {
        var search = registry.find(name).tag("type", "ex_accounts");
        if (tags.length > 0) {
            search = search.tag(tags[0], tags[1]);
        }
        return (int) search.counter().count();
    }
}
