package foldstream.ops.registry;

import foldstream.worker.serialization.SchemaRegistryException;
import foldstream.worker.topics.TopicAdmin;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas topic: one partition, compacted. A background thread tails it from the beginning and
 * applies every record to the {@link SchemaStore}; writers append a record and wait until the tail
 * has read past it, so they see the state their record was applied to (or refused in).
 */
final class SchemaLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);
    static final Duration WAIT = Duration.ofSeconds(10);

    private final RegistryServerSettings settings;
    private final SchemaStore store;
    private final LogEntryCodec codec = new LogEntryCodec();
    private final TopicPartition partition;
    private Admin admin;
    /** Wraps {@link #admin} (and closes it) for the wait until a created topic is served. */
    private TopicAdmin topics;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread tail;
    private volatile boolean running;
    /** The next offset the tail will read; everything before it is applied. Guarded by this. */
    private long position;

    SchemaLog(RegistryServerSettings settings, SchemaStore store) {
        this.settings = settings;
        this.store = store;
        this.partition = new TopicPartition(settings.topic(), 0);
    }

    /** Creates the topic when missing, reads it to the end, and keeps tailing it. */
    void start() {
        admin = Admin.create(clientConfig(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "foldstream-schema-registry-admin")));
        topics = new TopicAdmin(admin, settings.bootstrapServers(), WAIT);
        createTopicIfMissing();
        producer = new KafkaProducer<>(clientConfig(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WAIT.toMillis(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
        consumer = new KafkaConsumer<>(clientConfig(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)));
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        running = true;
        tail = new Thread(this::tailLoop, "schema-registry-tail-" + settings.topic());
        tail.setDaemon(true);
        tail.start();
        catchUp();
    }

    /** Appends the entry and waits until the tail has applied it (or refused it); returns its offset. */
    long append(LogEntry entry) {
        long offset;
        try {
            offset = producer.send(new ProducerRecord<>(settings.topic(), 0, codec.key(entry), codec.value(entry)))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException | TimeoutException e) {
            throw storeError("cannot write to the schemas topic '" + settings.topic() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while writing to the schemas topic", e);
        }
        awaitPosition(offset + 1);
        return offset;
    }

    /** Waits until everything written to the topic before this call has been applied. */
    void catchUp() {
        long end;
        try {
            end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException | TimeoutException e) {
            throw storeError("cannot read the end of the schemas topic '" + settings.topic() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while reading the schemas topic", e);
        }
        awaitPosition(end);
    }

    private synchronized void awaitPosition(long target) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (position < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !running) {
                throw storeError("the schemas topic '" + settings.topic() + "' was not read up to offset " + target
                        + " within " + WAIT.toSeconds() + " s (read up to " + position + ")", null);
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw storeError("interrupted while reading the schemas topic", e);
            }
        }
    }

    private void tailLoop() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        apply(record);
                    }
                    long next = consumer.position(partition);
                    synchronized (this) {
                        position = next;
                        notifyAll();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // The broker may be away for a while; the next poll tries again.
                    LOG.warn("reading the schemas topic '{}' failed, retrying: {}", settings.topic(), e.toString());
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer to stop.
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            Optional<LogEntry> entry = codec.read(record.key(), record.value());
            entry.ifPresent(store::apply);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable record at offset {} of the schemas topic '{}': {}", record.offset(), settings.topic(), e.toString());
        }
    }

    private void createTopicIfMissing() {
        try {
            if (admin.listTopics().names().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).contains(settings.topic())) {
                return;
            }
            NewTopic topic = new NewTopic(settings.topic(), 1, (short) topics.replicationFactor(TopicAdmin.DERIVED_REPLICATION))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(topic)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("created the schemas topic '{}' (compacted, {} replica(s))", settings.topic(), topic.replicationFactor());
            awaitLeader();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw storeError("cannot create the schemas topic '" + settings.topic() + "': " + e.getCause(), e);
            }
            awaitLeader();
        } catch (TimeoutException e) {
            throw storeError("Kafka at " + settings.bootstrapServers() + " did not answer within " + WAIT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeError("interrupted while creating the schemas topic", e);
        } catch (KafkaException e) {
            // TopicAdmin's answer when the cluster cannot be described (unreachable, refused).
            throw storeError("cannot create the schemas topic '" + settings.topic() + "': " + e.getMessage(), e);
        }
    }

    /**
     * A created topic reaches the broker's metadata a moment after the controller accepts it; reading
     * its end before then fails with an unknown partition (seen on a loaded machine).
     */
    private void awaitLeader() {
        try {
            topics.awaitLeaders(List.of(settings.topic()));
        } catch (KafkaException e) {
            throw storeError("the schemas topic '" + settings.topic() + "' was created but is not served: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> clientConfig(Map<String, Object> specific) {
        Map<String, Object> config = new HashMap<>(settings.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.putAll(specific);
        return config;
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (tail != null) {
            try {
                tail.join(WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (topics != null) {
            topics.close();
        }
    }

    /** The topic could not be written or read in time: Confluent's 50001, "error in the backend data store". */
    private static SchemaRegistryException storeError(String message, Throwable cause) {
        return new SchemaRegistryException(SchemaRegistryException.STORE_ERROR, null, message, cause);
    }
}
