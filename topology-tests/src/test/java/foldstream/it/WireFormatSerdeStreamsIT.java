package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.worker.serialization.WireFormatConfig;
import foldstream.worker.serialization.WireFormatDeserializer;
import foldstream.worker.serialization.WireFormatSerde;
import foldstream.worker.serialization.WireFormatSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A Kafka Streams application that names WireFormatSerde as its default value serde, on the real broker and registry. */
@ExtendWith(KafkaStack.class)
class WireFormatSerdeStreamsIT {

    private static final String EVENTS = "serde_users-events";
    private static final String NAMES = "serde_names-events";

    @Test
    void aStreamsApplicationReadsAndWritesTheWireFormatThroughItsDefaultSerde(KafkaStack.Endpoints stack, @TempDir Path state)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            // Created before Streams starts, so its first rebalance finds its source topic.
            admin.createTopics(List.of(new NewTopic(EVENTS, 1, (short) 1), new NewTopic(NAMES, 1, (short) 1))).all().get();
        }
        Properties settings = new Properties();
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "wire-format-serde-it");
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        settings.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        settings.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        settings.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, WireFormatSerde.class);
        settings.put(WireFormatConfig.REGISTRY_URL, stack.registryUrl());
        settings.put(WireFormatConfig.READER_TYPES, UserCreated.class.getName() + "," + ProfileSet.class.getName());
        StreamsBuilder topology = new StreamsBuilder();
        topology.<String, SpecificRecord>stream(EVENTS).filter((id, event) -> event instanceof ProfileSet).to(NAMES);

        try (KafkaStreams streams = new KafkaStreams(topology.build(), settings)) {
            streams.start();
            produce(stack, List.of(new UserCreated("ada@example.org"), new ProfileSet("Ada King"),
                    new UserCreated("grace@example.org"), new ProfileSet("Grace Hopper")));

            assertThat(consume(stack, 2)).containsExactly(new ProfileSet("Ada King"), new ProfileSet("Grace Hopper"));
        }
    }

    private static void produce(KafkaStack.Endpoints stack, List<SpecificRecord> events) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, WireFormatSerializer.class,
                WireFormatConfig.REGISTRY_URL, stack.registryUrl()));
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config)) {
            for (SpecificRecord event : events) {
                producer.send(new ProducerRecord<>(EVENTS, "user-1", event));
            }
        }
    }

    private static List<SpecificRecord> consume(KafkaStack.Endpoints stack, int expected) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "wire-format-serde-it-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, WireFormatDeserializer.class,
                WireFormatConfig.REGISTRY_URL, stack.registryUrl(),
                WireFormatConfig.READER_TYPES, ProfileSet.class.getName()));
        List<SpecificRecord> received = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(NAMES));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                }
                return received.size() >= expected;
            });
        }
        return received;
    }
}
