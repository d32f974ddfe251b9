package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.ops.stack.PostgresServer;
import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.projection.runtime.JdbcPositions;
import foldstream.worker.projection.runtime.JdbcProjectionRunner;
import foldstream.worker.projection.runtime.ProjectionRuntime;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDBC runner on a real broker and PostgreSQL, fed events written by hand: a duplicate skipped,
 * a gap stopping its aggregate (the others go on) with the reason stored, a handler failure retried
 * then parked on the dead-letter topic with its source, events without a handler moving the
 * aggregate's version only, and the positions at the end of each partition.
 */
@ExtendWith({KafkaStack.class, EmbeddedPostgres.class})
class JdbcProjectionIT {

    @Test
    void duplicatesGapsAndFailuresAreHandledAsThePolicySays(KafkaStack.Endpoints stack, PostgresServer postgres) throws Exception {
        String run = "jdbc" + Long.toString(System.nanoTime(), 36);
        String stream = run + "_acc";
        String events = AggregateTopics.of(stream).events();
        String table = run + "_balances";
        String database = postgres.createDatabase(run);
        int[] attempts = {0};
        JdbcProjection projection = JdbcProjection.builder("balances")
                .follows(stream)
                .schema("CREATE TABLE IF NOT EXISTS " + table + " (id VARCHAR(50) PRIMARY KEY, balance BIGINT NOT NULL)")
                .errorPolicy(ErrorPolicy.retryThenPark(1, Duration.ofMillis(10)))
                .on(AccountOpened.class, (opened, meta) -> List.of(SqlWrite.of("INSERT INTO " + table + " VALUES (?, 0)", meta.aggregateId())))
                .on(MoneyDeposited.class, (deposited, meta) -> {
                    if (deposited.getAmount() == 13L) {
                        attempts[0]++;
                        throw new IllegalStateException("unlucky thirteen");
                    }
                    return List.of(SqlWrite.of("UPDATE " + table + " SET balance = balance + ? WHERE id = ?", deposited.getAmount(),
                            meta.aggregateId()));
                })
                .build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
             HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
             KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(events, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AvroWireCodec codec = new AvroWireCodec(registry, true);
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 1, new AccountOpened("ann"));
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 2, new MoneyDeposited(10L, 10L));
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 2, new MoneyDeposited(10L, 10L));   // a duplicate
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 3, new MoneyDeposited(13L, 23L));   // fails, retried, parked
            HandWrittenEvents.send(producer, codec, events, stream, "a1", 4, new MoneyDeposited(5L, 28L));
            HandWrittenEvents.send(producer, codec, events, stream, "a2", 1, new AccountOpened("bob"));
            HandWrittenEvents.send(producer, codec, events, stream, "a2", 3, new MoneyDeposited(7L, 7L));     // a gap: version 2 is missing
            HandWrittenEvents.send(producer, codec, events, stream, "a2", 4, new MoneyDeposited(1L, 8L));
            HandWrittenEvents.send(producer, codec, events, stream, "a3", 1, new AccountOpened("cy"));
            HandWrittenEvents.send(producer, codec, events, stream, "a3", 2, new MoneyWithdrawn(0L, 0L));     // no handler: the version moves only
            producer.flush();

            Map<String, Object> client = Map.of("bootstrap.servers", stack.bootstrapServers());
            ProjectionRuntime runtime = new ProjectionRuntime(run, client, client, codec, List.of(), EventUpcaster.NONE,
                    new HostInfo("127.0.0.1", 0));
            JdbcProjectionRunner runner = new JdbcProjectionRunner(projection, runtime, database, JdbcPositions.DEFAULT_TABLE);
            try {
                runner.start();
                await("every event projected").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> SqlRows.column(database, "SELECT COALESCE(SUM(next_offset), 0) FROM " + JdbcPositions.DEFAULT_TABLE
                                + " WHERE projection = 'balances-v1'").equals(List.of("10")));
            } finally {
                assertThat(runner.close(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(SqlRows.column(database, "SELECT id || '=' || balance FROM " + table + " ORDER BY id")).containsExactly("a1=15", "a2=0", "a3=0");
            assertThat(attempts[0]).as("the first attempt and one retry").isEqualTo(2);
            assertThat(SqlRows.column(database, "SELECT aggregate_id || ' v' || version FROM " + JdbcPositions.DEFAULT_TABLE
                    + "_aggregates WHERE projection = 'balances-v1' ORDER BY aggregate_id")).containsExactly("a1 v4", "a2 v1", "a3 v2");
            assertThat(SqlRows.column(database, "SELECT stopped FROM " + JdbcPositions.DEFAULT_TABLE + "_aggregates WHERE aggregate_id = 'a2'"))
                    .singleElement().asString().contains(stream + " 'a2': version 3").contains("version 2 is missing");

            var parked = CommittedTopic.readAll(stack.bootstrapServers(), runner.dlqTopic());
            assertThat(parked).hasSize(1);
            assertThat(ExactlyOnceChecks.header(parked.get(0), ContractHeaders.DLQ_ERROR)).contains("unlucky thirteen");
            assertThat(ExactlyOnceChecks.header(parked.get(0), ContractHeaders.DLQ_SOURCE)).startsWith(events + "/");
            assertThat(codec.decode(parked.get(0).value(), MoneyDeposited.class)).isEqualTo(new MoneyDeposited(13L, 23L));
        }
    }
}
