package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.runtime.EmbeddedProjectionQueries.AggregateRef;
import foldstream.worker.projection.runtime.EmbeddedProjectionRunner;
import foldstream.worker.projection.runtime.ProjectionLookup;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded runner counts a failing event's attempts in its store, under exactly-once: a runner
 * stopped between retries and a new one on an empty state directory (restored from the changelog)
 * make together exactly the attempts the policy allows, then the aggregate stops naming the event,
 * and the records held behind it are applied. Before, the count lived in memory and every restart
 * began it anew: a poison event retried forever across restarts.
 */
@ExtendWith(KafkaStack.class)
class ProjectionRetryIT {

    record Count(long events) {
    }

    @Test
    void theRetryLimitHoldsAcrossARestart(KafkaStack.Endpoints stack, @TempDir Path first, @TempDir Path second) throws Exception {
        String run = "retry" + Long.toString(System.nanoTime(), 36);
        String stream = run + "_acc";
        String events = AggregateTopics.of(stream).events();
        AtomicInteger attempts = new AtomicInteger();
        EmbeddedProjection<Count> counts = EmbeddedProjection.builder("counts", Count.class, new Count(0))
                .follows(stream)
                .errorPolicy(ErrorPolicy.retry(3, Duration.ofSeconds(2)))
                .on(AccountOpened.class, (count, opened, meta) -> new Count(count.events() + 1))
                .on(MoneyDeposited.class, (count, deposited, meta) -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("poison");
                })
                .build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 1, new AccountOpened("ann"));
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 2, new MoneyDeposited(13L, 13L));   // fails every time
            HandWrittenEvents.send(producer, codec, events, stream, "a2", 1, new AccountOpened("bob"));       // held behind it

            EmbeddedProjectionRunner<Count> before = new EmbeddedProjectionRunner<>(counts, ProjectionRuntimes.of(stack, run, codec, first));
            try {
                before.start();
                await("the first attempt").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> attempts.get() >= 1);
            } finally {
                assertThat(before.close(Duration.ofSeconds(60))).isTrue();
            }
            int beforeRestart = attempts.get();
            // Retries are due 2, 4 and 8 s apart: the close comes well before the last.
            assertThat(beforeRestart).as("stopped between retries").isBetween(1, 3);

            EmbeddedProjectionRunner<Count> after = new EmbeddedProjectionRunner<>(counts, ProjectionRuntimes.of(stack, run, codec, second));
            try {
                after.start();
                await("a1 stopped and a2 applied").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                        stopped(after.queries().lookup("a1", Optional.of(new AggregateRef(stream, "a1")))).isPresent()
                                && after.queries().lookup("a2", Optional.empty()) instanceof ProjectionLookup.Found found
                                && found.state().isPresent());
                assertThat(attempts.get()).as("the first attempt and 3 retries, across the restart").isEqualTo(4);
                assertThat(stopped(after.queries().lookup("a1", Optional.of(new AggregateRef(stream, "a1"))))).hasValueSatisfying(reason ->
                        assertThat(reason).contains(stream + " 'a1' version 2").contains("after 4 attempt(s)").contains("poison"));
            } finally {
                assertThat(after.close(Duration.ofSeconds(60))).isTrue();
            }
        }
    }

    private static Optional<String> stopped(ProjectionLookup lookup) {
        return lookup instanceof ProjectionLookup.Found found ? found.applied().flatMap(progress -> progress.stopped()) : Optional.empty();
    }
}
