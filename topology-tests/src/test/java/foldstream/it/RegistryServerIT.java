package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.worker.serialization.CompatibilityLevel;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegisteredSchema;
import foldstream.worker.serialization.RegistryClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The registry server's own promises: ids survive restarts, and servers sharing one topic agree. */
@ExtendWith(KafkaStack.class)
class RegistryServerIT {

    private static String bootstrapServers;

    @BeforeAll
    static void broker(KafkaStack.Endpoints stack) {
        bootstrapServers = stack.bootstrapServers();
    }

    private static SchemaRegistryServer server(String topic) {
        return new SchemaRegistryServer(new RegistryServerSettings(bootstrapServers, "127.0.0.1", 0, topic));
    }

    private static HttpSchemaRegistryClient client(SchemaRegistryServer server) {
        return new HttpSchemaRegistryClient(RegistryClientSettings.of(server.url()));
    }

    /** A record schema of its own per name, so each registration is a distinct schema. */
    private static Schema schema(String name) {
        return SchemaBuilder.record(name).namespace("foldstream.it.registry").fields().requiredString("text").endRecord();
    }

    @Test
    void afterARestartTheSameSchemasHaveTheSameIdsVersionsAndLevels() {
        String topic = "_schemas_restart";
        Map<String, Integer> ids = new HashMap<>();
        try (SchemaRegistryServer first = server(topic).start(); HttpSchemaRegistryClient registry = client(first)) {
            ids.put("A", registry.register("restart-a", schema("A")));
            ids.put("B", registry.register("restart-b", schema("B")));
            ids.put("A2", registry.register("restart-a", SchemaBuilder.record("A").namespace("foldstream.it.registry").fields()
                    .requiredString("text").optionalString("more").endRecord()));
            registry.setCompatibility("restart-b", CompatibilityLevel.FULL_TRANSITIVE);
        }

        long started = System.nanoTime();
        try (SchemaRegistryServer second = server(topic).start(); HttpSchemaRegistryClient registry = client(second)) {
            Duration startup = Duration.ofNanos(System.nanoTime() - started);

            assertThat(startup).as("start-up, reading the topic back").isLessThan(Duration.ofSeconds(5));
            assertThat(registry.schemaById(ids.get("A"))).isEqualTo(schema("A"));
            assertThat(registry.lookup("restart-b", schema("B"))).isEqualTo(new RegisteredSchema("restart-b", 1, ids.get("B"), schema("B")));
            assertThat(registry.latest("restart-a").version()).isEqualTo(2);
            assertThat(registry.latest("restart-a").id()).isEqualTo(ids.get("A2"));
            assertThat(registry.compatibility("restart-b")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
            assertThat(registry.register("restart-c", schema("C"))).as("a new schema never reuses an id")
                    .isGreaterThan(ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow());
        }
    }

    @Test
    void anIdRegisteredThroughOneServerIsServedAtOnceByAnotherOnTheSameTopic() {
        String topic = "_schemas_pair";
        try (SchemaRegistryServer one = server(topic).start(); SchemaRegistryServer other = server(topic).start();
             HttpSchemaRegistryClient viaOne = client(one); HttpSchemaRegistryClient viaOther = client(other)) {
            int id = viaOne.register("pair-x", schema("X"));

            assertThat(viaOther.schemaById(id)).isEqualTo(schema("X"));
            assertThat(viaOther.lookup("pair-x", schema("X")).id()).isEqualTo(id);
            assertThat(viaOther.register("pair-y", schema("X"))).as("the same schema keeps its id in another subject").isEqualTo(id);
        }
    }

    @Test
    void twoServersRegisteringAtTheSameTimeNeverGiveOneIdToTwoSchemas() throws Exception {
        String topic = "_schemas_race";
        int perServer = 8;
        try (SchemaRegistryServer one = server(topic).start(); SchemaRegistryServer other = server(topic).start();
             HttpSchemaRegistryClient viaOne = client(one); HttpSchemaRegistryClient viaOther = client(other)) {
            ExecutorService writers = Executors.newFixedThreadPool(2);
            try {
                List<Callable<Map<String, Integer>>> work = List.of(
                        () -> registerAll(viaOne, "one", perServer),
                        () -> registerAll(viaOther, "other", perServer));
                Map<String, Integer> ids = new HashMap<>();
                for (Future<Map<String, Integer>> done : writers.invokeAll(work)) {
                    ids.putAll(done.get());
                }

                int shared = ids.get("shared-one");
                assertThat(ids.get("shared-other")).as("one schema, one id, whichever server registered it").isEqualTo(shared);
                List<Integer> distinct = new ArrayList<>(ids.values());
                distinct.remove(Integer.valueOf(shared));
                assertThat(new HashSet<>(distinct)).as("distinct schemas get distinct ids").hasSize(distinct.size());
                for (Map.Entry<String, Integer> registered : ids.entrySet()) {
                    assertThat(viaOne.schemaById(registered.getValue())).isEqualTo(viaOther.schemaById(registered.getValue()));
                }
            } finally {
                writers.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(viaOne.latest("race-one-0")).isEqualTo(viaOther.latest("race-one-0")));
        }
    }

    /** Registers {@code count} schemas of its own plus one schema both writers share, each under a subject of its own. */
    private static Map<String, Integer> registerAll(HttpSchemaRegistryClient registry, String writer, int count) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < count; i++) {
            ids.put(writer + "-" + i, registry.register("race-" + writer + "-" + i, schema("R_" + writer + "_" + i)));
            if (i == count / 2) {
                ids.put("shared-" + writer, registry.register("race-shared-" + writer, schema("Shared")));
            }
        }
        return ids;
    }
}
