package foldstream.worker.runtime;

import foldstream.protocol.SnapshotMeta;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Folds event records, as they are on {@code S-events}, into snapshots per aggregate with
 * {@code evolve}, checking that each aggregate's versions run 1, 2, 3, ... without a gap. Pure event
 * sourcing rebuilds its stores with it, and replay and the tests compare against it.
 *
 * <pre>{@code
 * EventFold<AccountState> fold = new EventFold<>(Accounts.type(), codec);
 * records.forEach(fold::add);
 * Map<String, Snapshot<AccountState>> states = fold.snapshots();
 * }</pre>
 */
public final class EventFold<S extends SpecificRecord> {

    private final AggregateType<S> type;
    private final AvroWireCodec codec;
    private final EventReader reader;
    private final Map<String, Snapshot<S>> snapshots = new HashMap<>();
    private final Function<String, Snapshot<S>> base;
    private long folded;

    public EventFold(AggregateType<S> type, AvroWireCodec codec) {
        this(type, codec, id -> null);
    }

    /**
     * A fold that continues from snapshots kept elsewhere (a rebuild in steps continues from the
     * store): {@code base} gives an aggregate's snapshot before this fold, or {@code null} when none;
     * {@link #snapshots()} then holds only the aggregates this fold changed.
     */
    public EventFold(AggregateType<S> type, AvroWireCodec codec, Function<String, Snapshot<S>> base) {
        this.type = type;
        this.codec = codec;
        this.base = base;
        this.reader = new EventReader(type, codec);
    }

    /**
     * Folds one event record.
     *
     * @throws InconsistentEventsException when its version is not the next one of its aggregate, or it cannot be read
     */
    public void add(ConsumerRecord<byte[], byte[]> record) {
        addIfNew(record, false);
    }

    /**
     * Folds one event record unless its aggregate is already at its version or beyond (a catch-up
     * meets the events the store already holds).
     *
     * @return whether it was folded
     * @throws InconsistentEventsException when its version is beyond the next one of its aggregate, or it cannot be read
     */
    public boolean addIfNew(ConsumerRecord<byte[], byte[]> record) {
        return addIfNew(record, true);
    }

    private boolean addIfNew(ConsumerRecord<byte[], byte[]> record, boolean skipKnown) {
        String where = record.topic() + "/" + record.partition() + "/" + record.offset();
        if (record.key() == null) {
            throw new InconsistentEventsException(null, -1, "event at " + where + " has no key");
        }
        String id = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        String versionText = ContractHeaders.text(record.headers(), ContractHeaders.AGGREGATE_VERSION);
        long version;
        try {
            version = Long.parseLong(versionText);
        } catch (NumberFormatException e) {
            throw new InconsistentEventsException(id, -1, "event at " + where + " has aggregate-version '" + versionText + "'");
        }
        if (skipKnown && version <= version(id)) {
            return false;
        }
        checkNext(id, version, where);
        // Old events are read as today's (upcasters, aliases): one stored event is one version, whatever it becomes.
        EventReader.Read read = reader.read(record.value());
        if (!(read instanceof EventReader.Read.Events today)) {
            throw new InconsistentEventsException(id, version, type.name() + " '" + id + "': event at " + where
                    + " cannot be read: " + ((EventReader.Read.Unreadable) read).reason());
        }
        fold(id, version, today.events(), record.timestamp(), ContractHeaders.text(record.headers(), ContractHeaders.COMMAND_ID));
        return true;
    }

    /** Folds one event already decoded, for example one written in a transaction not yet committed. */
    public void add(String id, long version, SpecificRecord event, long timestamp, String commandId) {
        checkNext(id, version, "version " + version + " of the task's own recent events");
        fold(id, version, List.of(event), timestamp, commandId);
    }

    /** The version folded so far for an aggregate; 0 when none. */
    public long version(String id) {
        Snapshot<S> current = current(id);
        return current == null ? 0 : current.version();
    }

    private void checkNext(String id, long version, String where) {
        long expected = version(id) + 1;
        if (version != expected) {
            throw new InconsistentEventsException(id, version, type.name() + " '" + id + "': event at " + where
                    + " has version " + version + " where version " + expected + " was expected");
        }
    }

    private Snapshot<S> current(String id) {
        Snapshot<S> current = snapshots.get(id);
        return current != null ? current : base.apply(id);
    }

    private void fold(String id, long version, List<SpecificRecord> events, long timestamp, String commandId) {
        Snapshot<S> current = current(id);
        S state = current == null ? type.aggregate().initialState() : current.state();
        for (SpecificRecord event : events) {
            state = type.aggregate().evolve(state, event);
        }
        Instant at = Instant.ofEpochMilli(timestamp);
        SnapshotMeta meta = new SnapshotMeta(current == null ? at : current.meta().getCreatedAt(), at,
                commandId == null ? "" : commandId);
        snapshots.put(id, new Snapshot<>(version, state, meta));
        folded++;
    }

    /** The snapshot of every aggregate folded so far (with a base: every aggregate this fold changed). */
    public Map<String, Snapshot<S>> snapshots() {
        return snapshots;
    }

    /** How many events were folded. */
    public long folded() {
        return folded;
    }
}
