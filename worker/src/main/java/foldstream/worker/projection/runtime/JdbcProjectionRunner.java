package foldstream.worker.projection.runtime;

import foldstream.worker.projection.ErrorPolicy;
import foldstream.worker.projection.EventMeta;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
 * {@code <worker application id>-projection-<name>-v<version>}) whose batches (what a poll fetched of
 * a partition, up to {@value #BATCH_RECORDS} events) are applied in one database transaction each,
 * with a handful of round trips whatever their size, together with the compare-and-set of the
 * partition's position stored in the same database. On assignment it seeks to the stored positions; Kafka's committed
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
    /** The consumer's {@code max.poll.records} unless the worker's consumer settings say otherwise: at most a transaction's events. */
    static final int BATCH_RECORDS = 2000;

    private final JdbcProjection projection;
    private final ProjectionRuntime runtime;
    private final String jdbcUrl;
    private final JdbcPositions positions;
    private final String groupId;
    private final ProjectionEventReader reader;
    private final Map<TopicPartition, Long> expected = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> lastApplied = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> mirrored = new HashMap<>();
    private final OwnedProgress owned = new OwnedProgress();
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
        // One transaction per partition per poll: larger polls, fewer commits and round trips (measured; the worker may set its own).
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH_RECORDS);
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
            partitions.forEach(owned::forget);
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
        owned.forget(partition);
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
     * Applies what one poll fetched of a partition in one transaction ({@link #transaction}). When a
     * handler fails in it, the transaction rolls back; the events before the failing one are applied
     * as a batch of their own, the failing event alone with the error policy ({@link #oneByOne}), and
     * the events after it as the next batch: no event is applied twice or passed over. Whatever stops
     * half-way seeks the partition back to its stored position, so nothing fetched and not applied is
     * passed over.
     */
    private void applyPartition(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        long from = expected.get(partition);
        List<ConsumerRecord<byte[], byte[]>> pending = records.stream().filter(record -> record.offset() >= from).toList();
        boolean done = true;
        batchFailure = null;
        try {
            while (!pending.isEmpty() && running) {
                Long at = expected.get(partition);
                if (at == null) {
                    return;   // revoked meanwhile
                }
                if (!(transaction(partition, at, pending, Writes.BATCHED) instanceof Outcome.Failed failed)) {
                    break;    // committed, or fenced (and sought again)
                }
                while (failed.index() > 0) {
                    Outcome before = transaction(partition, at, pending.subList(0, failed.index()), Writes.BATCHED);
                    if (before instanceof Outcome.Fenced) {
                        return;
                    }
                    if (!(before instanceof Outcome.Failed earlier)) {
                        break;
                    }
                    failed = earlier;   // a handler that failed only the second time: that event first (its index is lower)
                }
                ConsumerRecord<byte[], byte[]> failing = pending.get(failed.index());
                batchFailure = failed.failure();
                batchFailureOffset = failing.offset();
                if (!running || !oneByOne(partition, failing)) {
                    done = false;
                    break;
                }
                pending = pending.subList(failed.index() + 1, pending.size());
            }
        } catch (SQLException e) {
            databaseTrouble(e);
            done = false;
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

    /** What became of one transaction. */
    private sealed interface Outcome {
        /** The writes and the position committed. */
        record Committed() implements Outcome {
        }

        /** The position had moved (another instance owns the partition now): rolled back, sought again. */
        record Fenced() implements Outcome {
        }

        /** Rolled back: the handler of the event at {@code index} of the transaction failed (or the database refused its write). */
        record Failed(int index, HandlerFailure failure) implements Outcome {
        }
    }

    /** How a transaction runs the handlers' writes. */
    private enum Writes {
        /** Consecutive writes of one SQL text as one JDBC batch ({@link BatchedWrites}): the fast way. */
        BATCHED,
        /** Each write alone, so that a refused one names its event. */
        ONE_AT_A_TIME
    }

    /**
     * Applies {@code records} (of one partition, from the stored position {@code from} on) in one
     * transaction with a handful of round trips whatever their number: the compare-and-set of the
     * position (first: its row lock keeps an instance that lost the partition waiting until this
     * commits, then finding the position moved), one query for the progress of every aggregate in
     * the records, the handlers' writes as JDBC batches, and the aggregates' new progress written
     * once each. The guards are the same as one event at a time: per aggregate, in order, a
     * duplicate is skipped and a gap stops the aggregate (the others go on).
     */
    private Outcome transaction(TopicPartition partition, long from, List<ConsumerRecord<byte[], byte[]>> records, Writes writes)
            throws SQLException {
        long lastOffset = records.get(records.size() - 1).offset();
        connection.setAutoCommit(false);
        try {
            if (!positions.advance(connection, projection.id(), partition.topic(), partition.partition(), from, lastOffset + 1)) {
                return fenced(partition);
            }
            List<ProjectionEventReader.Read> reads = new ArrayList<>(records.size());
            Set<JdbcPositions.Aggregate> involved = new LinkedHashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                ProjectionEventReader.Read read = reader.read(record.topic(), record.partition(), record.offset(), record.timestamp(),
                        record.key(), record.headers(), record.value());
                reads.add(read);
                aggregateOf(read.meta()).ifPresent(involved::add);
            }
            Map<JdbcPositions.Aggregate, Progress> stored = positions.aggregates(connection, projection.id(),
                    owned.unknown(partition, involved));
            stored.putAll(owned.known(partition, involved));
            Map<JdbcPositions.Aggregate, Progress> progress = new HashMap<>(stored);
            Map<JdbcPositions.Aggregate, Progress> changed = new LinkedHashMap<>();
            try (BatchedWrites batched = new BatchedWrites(connection)) {
                for (int i = 0; i < reads.size(); i++) {
                    ProjectionEventReader.Read read = reads.get(i);
                    Optional<JdbcPositions.Aggregate> aggregate = aggregateOf(read.meta());
                    if (aggregate.isEmpty()) {
                        LOG.error("projection {}: the record at {} is not an event of the contract ({}); it is not projected",
                                projection.id(), read.meta().source(), ((ProjectionEventReader.Unreadable) read).reason());
                        continue;
                    }
                    Optional<Progress> after;
                    try {
                        after = step(read, progress.getOrDefault(aggregate.get(), Progress.NONE), writes, batched);
                    } catch (HandlerFailure failure) {
                        connection.rollback();
                        return new Outcome.Failed(i, failure);
                    }
                    after.ifPresent(next -> {
                        progress.put(aggregate.get(), next);
                        changed.put(aggregate.get(), next);
                    });
                }
                batched.flush();
            } catch (SQLException e) {
                if (writes == Writes.ONE_AT_A_TIME || !connection.isValid(2)) {
                    throw e;
                }
                // The database is there and refused a batch: which event's write it was, one write at a time says.
                connection.rollback();
                LOG.warn("projection {}: the database refused a batch of writes ({}); applying {} again one write at a time",
                        projection.id(), e.getMessage(), partition);
                return transaction(partition, from, records, Writes.ONE_AT_A_TIME);
            }
            positions.saveAggregates(connection, projection.id(), changed, stored.keySet());
            connection.commit();
            owned.remember(partition, progress);
            expected.put(partition, lastOffset + 1);
            lastApplied.put(partition, lastOffset);
            return new Outcome.Committed();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** The aggregate an event belongs to; empty for a record that is not an event of the contract. */
    private static Optional<JdbcPositions.Aggregate> aggregateOf(EventMeta meta) {
        return meta.aggregateId() == null || meta.version() < 1
                ? Optional.empty()
                : Optional.of(new JdbcPositions.Aggregate(meta.aggregateType(), meta.aggregateId()));
    }

    /**
     * One event in the open transaction, after the aggregate's {@code progress}: its handler's writes
     * queued (or run, one at a time), and the aggregate's progress after it; empty when the event
     * changes nothing (a duplicate, or its aggregate stopped).
     */
    private Optional<Progress> step(ProjectionEventReader.Read read, Progress progress, Writes writes, BatchedWrites batched)
            throws SQLException, HandlerFailure {
        EventMeta meta = read.meta();
        if (progress.stopped().isPresent() || meta.version() <= progress.version()) {
            return Optional.empty();
        }
        if (meta.version() > progress.version() + 1) {
            String reason = progress.gap(projection.id(), meta);
            LOG.error("{}", reason);
            return Optional.of(progress.stop(reason));
        }
        if (read instanceof ProjectionEventReader.Unreadable unreadable) {
            throw new HandlerFailure("projection " + projection.id() + " cannot read " + meta.describe() + ": " + unreadable.reason(),
                    null, meta, progress);
        }
        if (read instanceof ProjectionEventReader.Wanted wanted) {
            List<SqlWrite> wanting = new ArrayList<>();
            try {
                for (SpecificRecord event : wanted.events()) {
                    wanting.addAll(projection.writes(event, meta));
                }
            } catch (RuntimeException e) {
                throw new HandlerFailure("projection " + projection.id() + " failed on " + meta.describe() + ": " + e, e, meta, progress);
            }
            for (SqlWrite write : wanting) {
                if (writes == Writes.BATCHED) {
                    batched.add(write);
                    continue;
                }
                try {
                    BatchedWrites.runAlone(connection, write);
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
        return Optional.of(progress.at(meta.version()));
    }

    private Outcome fenced(TopicPartition partition) throws SQLException {
        connection.rollback();
        LOG.warn("projection {}: the position of {} moved elsewhere (another instance owns it now); rolled back, seeking again",
                projection.id(), partition);
        seekToStored(partition);
        return new Outcome.Fenced();
    }

    /** Moves the position past {@code lastOffset} and commits the open transaction. */
    private Outcome commitAt(TopicPartition partition, long from, long lastOffset) throws SQLException {
        if (!positions.advance(connection, projection.id(), partition.topic(), partition.partition(), from, lastOffset + 1)) {
            return fenced(partition);
        }
        connection.commit();
        expected.put(partition, lastOffset + 1);
        lastApplied.put(partition, lastOffset);
        return new Outcome.Committed();
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
                Outcome alone = transaction(partition, at, List.of(record), Writes.ONE_AT_A_TIME);
                if (!(alone instanceof Outcome.Failed failed)) {
                    return alone instanceof Outcome.Committed;
                }
                failure = failed.failure();
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
        owned.forget(partition);   // the aggregate's row changes here, outside a batch's bookkeeping
        connection.setAutoCommit(false);
        try {
            positions.saveAggregate(connection, projection.id(), meta.aggregateType(), meta.aggregateId(), progress);
            return commitAt(partition, at, record.offset()) instanceof Outcome.Committed;
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

    private void databaseTrouble(SQLException e) {
        owned.forgetAll();   // a commit whose answer was lost may have happened
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
