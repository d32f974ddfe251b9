package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegisteredSchema;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SubjectNameStrategy;
import foldstream.worker.serialization.WireFormatConfig;
import foldstream.worker.serialization.WireFormatDeserializer;
import foldstream.worker.serialization.WireFormatSerializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every record of the contract and the example domains, written and read back through the real registry over HTTP. */
@ExtendWith(KafkaStack.class)
class WireFormatRoundTripIT {

    private static KafkaStack.Endpoints stack;
    private static SchemaRegistryClient registry;

    @BeforeAll
    static void connect(KafkaStack.Endpoints endpoints) {
        stack = endpoints;
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    @Test
    void theExamplesCoverEveryRecordInTheSchemasModule() {
        Set<String> covered = ExampleRecords.all("any").stream()
                .map(e -> e.record().getSchema().getFullName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).isEqualTo(ExampleRecords.recordNamesInSchemasModule());
    }

    @Test
    void everyRecordSurvivesTheSerializerAndDeserializerConfiguredAsKafkaDoes() {
        List<ExampleRecords.Example> examples = ExampleRecords.all("rt");
        List<Class<? extends SpecificRecord>> types = examples.stream()
                .<Class<? extends SpecificRecord>>map(e -> e.record().getClass()).distinct().toList();
        try (WireFormatSerializer<SpecificRecord> serializer = new WireFormatSerializer<>();
             WireFormatDeserializer<SpecificRecord> deserializer = new WireFormatDeserializer<>()) {
            serializer.configure(Map.of(WireFormatConfig.REGISTRY_URL, stack.registryUrl()), false);
            deserializer.configure(Map.of(WireFormatConfig.REGISTRY_URL, stack.registryUrl(),
                    WireFormatConfig.READER_TYPES, types.stream().map(Class::getName).collect(Collectors.joining(","))), false);

            for (ExampleRecords.Example example : examples) {
                byte[] bytes = serializer.serialize(example.topic(), example.record());

                assertThat(deserializer.deserialize(example.topic(), bytes)).as(example.toString()).isEqualTo(example.record());
                String subject = SubjectNameStrategy.forTopic(example.topic()).subject(example.topic(), example.record().getSchema());
                RegisteredSchema registered = registry.lookup(subject, example.record().getSchema());
                assertThat(bytes[0]).as("magic byte of " + example).isZero();
                assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id of " + example).isEqualTo(registered.id());
            }
        }
    }

    @Test
    void eventsTravelThroughKafkaWithTheSerdesNamedInTheClientConfiguration() throws Exception {
        String topic = "rt_kafka_users-events";
        List<ExampleRecords.Example> events = ExampleRecords.all("rt_kafka").stream()
                .filter(e -> e.topic().equals(topic)).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> producerConfig = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, WireFormatSerializer.class,
                WireFormatConfig.REGISTRY_URL, stack.registryUrl()));
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig)) {
            for (ExampleRecords.Example event : events) {
                producer.send(new ProducerRecord<>(topic, "user-1", event.record()));
            }
            producer.flush();
        }

        Map<String, Object> consumerConfig = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "rt-kafka-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, WireFormatDeserializer.class,
                WireFormatConfig.REGISTRY_URL, stack.registryUrl(),
                WireFormatConfig.READER_TYPES, "foldstream.examples.users.UserCreated,foldstream.examples.users.ProfileSet"));
        List<SpecificRecord> received = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                }
                return received.size() >= events.size();
            });
        }
        assertThat(received).containsExactlyElementsOf(events.stream().map(ExampleRecords.Example::record).toList());
    }
}
