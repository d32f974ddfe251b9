package foldstream.worker.projection.runtime;

import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventMeta;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one JDBC projection: a plain consumer ({@code read_committed}, group
 * {@code <worker application id>-projection-<name>-v<version>}) whose batches are applied in one
 * database transaction per partition, together with the compare-and-set of the partition's position
 * stored in the same database. On assignment it seeks to the stored positions; Kafka's committed
 * offsets are written after each transaction for monitoring only (lag), never read.
 *
 * <pre>{@code
 * JdbcProjectionRunner runner = new JdbcProjectionRunner(balances, runtime, "jdbc:postgresql://db/app?user=app", JdbcPositions.DEFAULT_TABLE);
 * runner.start();
 * ...
 * runner.close();
 * }</pre>
 *
 * <p>Why exactly once: the writes of a batch and the move of its position commit together or not at
 * all. A consumer that lost its partition in a rebalance finds the position moved by the new owner
 * (the update matches no row), rolls back and seeks again; a crash loses only an uncommitted
 * transaction, redone from the stored position. Per aggregate, the last version applied is a
 * second guard: a duplicate is skipped, a gap stops that aggregate naming it.
 */
public final class JdbcProjectionRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcProjectionRunner.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(1);

    private final JdbcProjection projection;
    private final ProjectionRuntime runtime;
    private final String jdbcUrl;
    private final JdbcPositions positions;
    private final String groupId;
    private final ProjectionEventReader reader;
    private final Map<TopicPartition, Long> expected = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> lastApplied = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> mirrored = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Connection connection;
    private KafkaProducer<byte[], byte[]> dlqProducer;
    /** The record whose handler failed in the batch transaction: its first attempt, counted when its turn comes. */
    private HandlerFailure batchFailure;
    private long batchFailureOffset = -1;

    /**
     * @param positionsTable the table of positions ({@link JdbcPositions#DEFAULT_TABLE} by default)
     */
    public JdbcProjectionRunner(JdbcProjection projection, ProjectionRuntime runtime, String jdbcUrl, String positionsTable) {
        this.projection = projection;
        this.runtime = runtime;
        this.jdbcUrl = jdbcUrl;
        this.positions = new JdbcPositions(positionsTable);
        this.groupId = EmbeddedProjectionRunner.applicationId(runtime.workerApplicationId(), projection.name(), projection.version());
        this.reader = runtime.reader(projection);
        this.thread = new Thread(this::run, "foldstream-projection-" + projection.id());
        thread.setDaemon(true);
    }

    public String groupId() {
        return groupId;
    }

    /** {@code <group id>-dlq}, where {@code retryThenPark} puts events. */
    public String dlqTopic() {
        return groupId + "-dlq";
    }

    public JdbcProjection projection() {
        return projection;
    }

    /** Connects (creating the tables) and starts consuming on a thread of its own. */
    public void start() {
        if (projection.errorPolicy() instanceof ErrorPolicy.RetryThenPark) {
            ProjectionTopics.ensure(runtime, dlqTopic(), Map.of());
        }
        try {
            connect();
        } catch (SQLException e) {
            throw new IllegalStateException("projection " + projection.id() + ": cannot prepare the database at " + redacted() + ": " + e, e);
        }
        thread.start();
    }

    /** The offset of the last event applied per partition owned here, for status. */
    public Map<TopicPartition, Long> lastApplied() {
        return Map.copyOf(lastApplied);
    }

    private void connect() throws SQLException {
        closeConnection();
        connection = DriverManager.getConnection(jdbcUrl);
        positions.createTables(connection);
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            for (String ddl : projection.schema()) {
                statement.execute(ddl);
            }
        }
    }

    private void run() {
        Map<String, Object> config = new HashMap<>(runtime.clientConfig());
        // The worker's consumer settings (session timeout, ...) apply here too, plain or with Kafka Streams' "consumer." prefix.
        runtime.streamsConfig().forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                config.put(key, value);
            } else if (key.startsWith("consumer.") && ConsumerConfig.configNames().contains(key.substring("consumer.".length()))) {
                config.put(key.substring("consumer.".length()), value);
            }
        });
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + ProcessHandle.current().pid());
        List<String> topics = projection.follows().stream().map(type -> AggregateTopics.of(type).events()).toList();
        try (KafkaConsumer<byte[], byte[]> created = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = created;
            created.subscribe(topics, new Seeker());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = created.poll(POLL);
                for (TopicPartition partition : records.partitions()) {
                    if (running && expected.containsKey(partition)) {
                        applyPartition(partition, records.records(partition));
                    }
                }
                if (running) {
                    mirrorPositions();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("projection {} stopped: {}", projection.id(), e.toString(), e);
        } finally {
            closeConnection();
            if (dlqProducer != null) {
                dlqProducer.close(Duration.ofSeconds(5));
            }
        }
    }

    /** Seeks every assigned partition to its stored position; forgets revoked ones. */
    private final class Seeker implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(expected::remove);
            partitions.forEach(lastApplied::remove);
            partitions.forEach(mirrored::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                seekToStored(partition);
            }
        }
    }

    private void seekToStored(TopicPartition partition) {
        while (running) {
            try {
                JdbcPositions.Position stored = positions.positionOrStart(connection, projection.id(), partition.topic(), partition.partition());
                expected.put(partition, stored.nextOffset());
                consumer.seek(partition, stored.nextOffset());
                LOG.info("projection {}: {} from offset {}", projection.id(), partition, stored.nextOffset());
                return;
            } catch (SQLException e) {
                databaseTrouble(e);
            }
        }
    }

    /**
     * One transaction for the batch; on a handler failure, the records one by one with the error
     * policy. Whatever stops the batch half-way seeks the partition back to its stored position, so
     * nothing fetched and not applied is passed over.
     */
    private void applyPartition(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        long from = expected.get(partition);
        List<ConsumerRecord<byte[], byte[]>> fresh = records.stream().filter(record -> record.offset() >= from).toList();
        if (fresh.isEmpty()) {
            return;
        }
        boolean done = false;
        batchFailure = null;
        try {
            Outcome outcome = transaction(partition, from, fresh);
            done = outcome != Outcome.FAILED;
            if (outcome == Outcome.FAILED) {
                done = true;
                for (ConsumerRecord<byte[], byte[]> record : fresh) {
                    if (!running || !oneByOne(partition, record)) {
                        done = false;
                        break;
                    }
                }
            }
        } catch (SQLException e) {
            databaseTrouble(e);
        }
        if (!done && running) {
            seekToStored(partition);
        }
    }

    /**
     * For monitoring only (the lag `foldstream projections` shows): commits to Kafka where the
     * consumer stands, which is past any transaction marker after the last event applied. Every
     * record fetched has been applied or the partition was sought back to its stored position,
     * so the consumer never stands beyond what the database holds but for markers.
     */
    private void mirrorPositions() {
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            if (!expected.containsKey(partition)) {
                continue;
            }
            long position = consumer.position(partition);
            if (!Long.valueOf(position).equals(mirrored.get(partition))) {
                moved.put(partition, new OffsetAndMetadata(position));
                mirrored.put(partition, position);
            }
        }
        if (!moved.isEmpty()) {
            consumer.commitAsync(moved, null);
        }
    }

    private enum Outcome { COMMITTED, FENCED, FAILED }

    private Outcome transaction(TopicPartition partition, long from, List<ConsumerRecord<byte[], byte[]>> records) throws SQLException {
        connection.setAutoCommit(false);
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                try {
                    apply(record);
                } catch (HandlerFailure failure) {
                    connection.rollback();
                    batchFailure = failure;
                    batchFailureOffset = record.offset();
                    return Outcome.FAILED;
                }
            }
            return commitAt(partition, from, records.get(records.size() - 1).offset());
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private Outcome commitAt(TopicPartition partition, long from, long lastOffset) throws SQLException {
        if (!positions.advance(connection, projection.id(), partition.topic(), partition.partition(), from, lastOffset + 1)) {
            connection.rollback();
            LOG.warn("projection {}: the position of {} moved elsewhere (another instance owns it now); rolled back, seeking again",
                    projection.id(), partition);
            seekToStored(partition);
            return Outcome.FENCED;
        }
        connection.commit();
        expected.put(partition, lastOffset + 1);
        lastApplied.put(partition, lastOffset);
        return Outcome.COMMITTED;
    }

    /** @return false when the partition must stop here for now (fenced, revoked or closing) */
    private boolean oneByOne(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) throws SQLException {
        ErrorPolicy policy = projection.errorPolicy();
        while (running) {
            Long at = expected.get(partition);
            if (at == null) {
                return false;   // revoked meanwhile
            }
            if (record.offset() < at) {
                return true;    // applied already
            }
            HandlerFailure failure;
            if (batchFailure != null && batchFailureOffset == record.offset()) {
                failure = batchFailure;   // its attempt in the batch was its first: counted now, not made again
                batchFailure = null;
            } else {
                connection.setAutoCommit(false);
                try {
                    apply(record);
                    return commitAt(partition, at, record.offset()) == Outcome.COMMITTED;
                } catch (HandlerFailure e) {
                    rollbackQuietly();
                    failure = e;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly();
                    throw e;
                }
            }
            OptionalLong attempts = positions.countFailure(connection, projection.id(), partition.topic(), partition.partition(), at,
                    failure.getMessage());
            if (attempts.isEmpty()) {
                seekToStored(partition);
                return false;
            }
            if (attempts.getAsLong() <= policy.retries()) {
                LOG.warn("{}; attempt {} of {}", failure.getMessage(), attempts.getAsLong(), policy.retries() + 1);
                if (!pause(policy.backoffBefore((int) attempts.getAsLong()))) {
                    return false;
                }
                continue;
            }
            return giveUp(partition, at, record, failure, policy);
        }
        return false;
    }

    /** After the last attempt: park the event, or stop its aggregate; either way the position moves past it. */
    private boolean giveUp(TopicPartition partition, long at, ConsumerRecord<byte[], byte[]> record, HandlerFailure failure,
                           ErrorPolicy policy) throws SQLException {
        EventMeta meta = failure.meta;
        Progress progress = failure.progress;
        String reason = failure.getMessage();
        if (policy instanceof ErrorPolicy.RetryThenPark) {
            park(record, reason, meta);
            LOG.error("{}; parked on {}, the projection goes on", reason, dlqTopic(), failure.getCause());
            progress = progress.at(meta.version());
        } else {
            LOG.error("{}; the aggregate is stopped here until the projection is rebuilt", reason, failure.getCause());
            progress = progress.stop(reason);
        }
        connection.setAutoCommit(false);
        try {
            positions.saveAggregate(connection, projection.id(), meta.aggregateType(), meta.aggregateId(), progress);
            return commitAt(partition, at, record.offset()) == Outcome.COMMITTED;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private void park(ConsumerRecord<byte[], byte[]> record, String reason, EventMeta meta) {
        if (dlqProducer == null) {
            Map<String, Object> config = new HashMap<>(runtime.clientConfig());
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            dlqProducer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(ContractHeaders.DLQ_ERROR, ContractHeaders.utf8(reason));
        headers.add(ContractHeaders.DLQ_SOURCE, ContractHeaders.utf8(meta.source()));
        try {
            // Before the position moves: a crash in between parks the event twice, never loses it.
            dlqProducer.send(new ProducerRecord<>(dlqTopic(), null, record.timestamp(), record.key(), record.value(), headers)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parking " + meta.describe(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot park " + meta.describe() + " on " + dlqTopic() + ": " + e.getCause(), e.getCause());
        }
    }

    /** A handler (or an unreadable event) failed on one record; carries what giving up needs. */
    private static final class HandlerFailure extends Exception {
        final transient EventMeta meta;
        final transient Progress progress;

        HandlerFailure(String message, Throwable cause, EventMeta meta, Progress progress) {
            super(message, cause);
            this.meta = meta;
            this.progress = progress;
        }
    }

    /** Applies one event inside the open transaction: version guard, then the handler's writes. */
    private void apply(ConsumerRecord<byte[], byte[]> record) throws SQLException, HandlerFailure {
        ProjectionEventReader.Read read = reader.read(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                record.headers(), record.value());
        EventMeta meta = read.meta();
        if (meta.aggregateId() == null || meta.version() < 1) {
            LOG.error("projection {}: the record at {} is not an event of the contract ({}); it is not projected",
                    projection.id(), meta.source(), ((ProjectionEventReader.Unreadable) read).reason());
            return;
        }
        Progress progress = positions.aggregate(connection, projection.id(), meta.aggregateType(), meta.aggregateId());
        if (progress.stopped().isPresent() || meta.version() <= progress.version()) {
            return;
        }
        if (meta.version() > progress.version() + 1) {
            String reason = progress.gap(projection.id(), meta);
            LOG.error("{}", reason);
            positions.saveAggregate(connection, projection.id(), meta.aggregateType(), meta.aggregateId(), progress.stop(reason));
            return;
        }
        if (read instanceof ProjectionEventReader.Unreadable unreadable) {
            throw new HandlerFailure("projection " + projection.id() + " cannot read " + meta.describe() + ": " + unreadable.reason(),
                    null, meta, progress);
        }
        if (read instanceof ProjectionEventReader.Wanted wanted) {
            List<SqlWrite> writes = new ArrayList<>();
            try {
                for (SpecificRecord event : wanted.events()) {
                    writes.addAll(projection.writes(event, meta));
                }
            } catch (RuntimeException e) {
                throw new HandlerFailure("projection " + projection.id() + " failed on " + meta.describe() + ": " + e, e, meta, progress);
            }
            for (SqlWrite write : writes) {
                try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
                    for (int i = 0; i < write.parameters().size(); i++) {
                        statement.setObject(i + 1, write.parameters().get(i));
                    }
                    statement.executeUpdate();
                } catch (SQLException e) {
                    if (connection.isValid(2)) {
                        // The database is there and refused the statement: the projection's error, not an outage.
                        throw new HandlerFailure("projection " + projection.id() + " failed on " + meta.describe() + ": "
                                + write.sql() + ": " + e.getMessage(), e, meta, progress);
                    }
                    throw e;
                }
            }
        }
        positions.saveAggregate(connection, projection.id(), meta.aggregateType(), meta.aggregateId(), progress.at(meta.version()));
    }

    private void databaseTrouble(SQLException e) {
        LOG.warn("projection {}: database trouble ({}); reconnecting in {}", projection.id(), e.getMessage(), RECONNECT_WAIT);
        if (!pause(RECONNECT_WAIT)) {
            return;
        }
        try {
            connect();
        } catch (SQLException again) {
            LOG.warn("projection {}: cannot reconnect to {}: {}", projection.id(), redacted(), again.getMessage());
        }
    }

    private boolean pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.getMessage());
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the connection failed: {}", e.getMessage());
            }
            connection = null;
        }
    }

    private String redacted() {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?...";
    }

    public boolean close(Duration timeout) {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
