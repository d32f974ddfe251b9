package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.counters.Increment;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Queries read committed state only (transactional state stores, KIP-892): while the transaction
 * that wrote version 1 is still open, a query answers version 0 and {@code minVersion=1} keeps
 * waiting; the worker is then killed, its transaction aborted, and version 1 comes back only from
 * the command processed again and committed, once.
 */
@ExtendWith(KafkaStackPerClass.class)
class QueryIsolationIT {

    private static final String TYPE = "ex_counters";
    private static final AggregateTopics TOPICS = AggregateTopics.of(TYPE);
    private static final Duration READY = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(QueryIsolationIT.class);

    @Test
    void aQueryNeverAnswersAVersionThatAnAbortTakesBack(KafkaStack.Endpoints stack) throws Exception {
        String run = "iso-" + Long.toString(System.nanoTime(), 36);
        // A transaction that stays open for a minute: the write of version 1 waits in it.
        WorkerProcess a = workers.start(worker(stack, run, "a")
                .property("commit.interval.ms", "60000")
                .property("producer.transaction.timeout.ms", "120000")).awaitReady(READY);
        String id = run + "-c1";
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            AvroWireCodec codec = new AvroWireCodec(registry, false);
            producer.send(SteadyLoad.record(codec, TOPICS.commands(),
                    new SteadyLoad.Command(run + "-cmd-1", id, new Increment(5)))).get(30, TimeUnit.SECONDS);

            // The event is on S-events, uncommitted: the snapshot was written in the same step, before it.
            await("the uncommitted event").atMost(Duration.ofSeconds(60)).until(() -> uncommittedEvents(stack, id) == 1);
            JsonNode during = JSON.readTree(a.get("/aggregates/" + TYPE + "/" + id).body());
            assertThat(during.path("version").asLong()).as("version served while its transaction is open: " + during).isZero();
            HttpResponse<String> waiting = a.get("/aggregates/" + TYPE + "/" + id + "?minVersion=1&waitMs=500");
            assertThat(waiting.statusCode()).as("minVersion=1 while version 1 is uncommitted: " + waiting.body()).isEqualTo(409);

            a.kill();
            // Restarted on the state directory the kill left behind: the open transaction is aborted, the command processed again.
            WorkerProcess again = workers.start(worker(stack, run, "a2").stateDir(a.stateDir())).awaitReady(READY);
            HttpResponse<String> committed = again.get("/aggregates/" + TYPE + "/" + id + "?minVersion=1&waitMs=60000");
            assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
            JsonNode after = JSON.readTree(committed.body());
            assertThat(after.path("version").asLong()).isEqualTo(1);
            assertThat(after.path("state").path("value").asLong()).isEqualTo(5);

            CommittedTopic.awaitNoOpenTransactions(stack.bootstrapServers(), List.of(TOPICS.events()), Duration.ofSeconds(60));
            assertThat(CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.events()).stream()
                    .filter(r -> ExactlyOnceChecks.key(r).equals(id)).count()).as("committed events of " + id).isEqualTo(1);
            assertThat(again.terminate(Duration.ofSeconds(60))).isZero();
        }
    }

    /** Events of the aggregate as a {@code read_uncommitted} consumer sees them: open transactions included. */
    private static long uncommittedEvents(KafkaStack.Endpoints stack, String id) {
        return CommittedTopic.readAll(stack.bootstrapServers(), TOPICS.events(), "read_uncommitted").stream()
                .filter(r -> r.key() != null && ExactlyOnceChecks.key(r).equals(id)).count();
    }

    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name) {
        return WorkerProcess.options(stack, run, name).types(TYPE).partitions(1);
    }
}
