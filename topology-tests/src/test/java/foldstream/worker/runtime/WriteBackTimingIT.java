package foldstream.worker.runtime;

import foldstream.it.KafkaStack;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Not part of the suite: times a write-back of N results into RocksDB. */
@ExtendWith(KafkaStack.class)
class WriteBackTimingIT {

    @Test
    void time(KafkaStack.Endpoints stack) throws Exception {
        int n = Integer.getInteger("results", 1_000_000);
        String type = "timing_wb";
        String topic = AggregateTopics.of(type).results();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrapServers());
        p.put("linger.ms", 20);
        p.put("batch.size", 262144);
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String agg = "acc-" + (i % 100_000);
                CommandResult r = new CommandResult("cmd-" + i, type, agg, i % 10 == 0 ? Outcome.REJECTED : Outcome.ACCEPTED,
                        (long) (i / 100_000 + 1), 1, null, null, List.of(), Instant.ofEpochMilli(now));
                producer.send(new ProducerRecord<>(topic, 0, agg.getBytes(StandardCharsets.UTF_8),
                        codec.encode(SubjectNameStrategy.TOPIC_NAME.subject(topic, r.getSchema()), r)));
            }
        }
        Properties sp = new Properties();
        sp.put(StreamsConfig.APPLICATION_ID_CONFIG, "timing");
        sp.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>(sp);
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("ids"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        AnsweredCommands answered = new AnsweredCommands(store, Duration.ofDays(7), System::currentTimeMillis);
        Map<String, Object> config = Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "timing",
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        for (int run = 0; run < 2; run++) {
            ResultsReplay.Replayed done = new ResultsReplay(type, codec, new KafkaEventLog(), config, 0).writeBack(answered);
            System.out.println("WRITE-BACK run " + run + ": " + done + " -> " + (done.read() * 1000L / Math.max(1, done.millis())) + " results/s");
        }
        store.close();
        registry.close();
    }
}
