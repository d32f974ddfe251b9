package foldstream.worker.runtime;

import foldstream.protocol.SnapshotMeta;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.AvroWireCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
    private final EventReader reader;
    /** The aggregates this fold changed, as they stand: built into snapshots only when asked for. */
    private final Map<String, Folding<S>> folding = new HashMap<>();
    /** What {@code base} answered, asked once per aggregate per fold (absent aggregates as {@link Optional#empty()}). */
    private final Map<String, Optional<Snapshot<S>>> fromBase = new HashMap<>();
    private final Function<String, Snapshot<S>> base;
    private long folded;
    private long created;

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
        this.base = base;
        this.reader = new EventReader(type, codec);
    }

    /**
     * Folds one event record.
     *
     * @throws InconsistentEventsException when its version is not the next one of its aggregate, or it cannot be read
     */
    public void add(ConsumerRecord<byte[], byte[]> record) {
        addIfNew(record, idOf(record), false);
    }

    /**
     * Folds one event record unless its aggregate is already at its version or beyond (a catch-up
     * meets the events the store already holds).
     *
     * @return whether it was folded
     * @throws InconsistentEventsException when its version is beyond the next one of its aggregate, or it cannot be read
     */
    public boolean addIfNew(ConsumerRecord<byte[], byte[]> record) {
        return addIfNew(record, idOf(record), true);
    }

    /** As {@link #addIfNew(ConsumerRecord)}, for a caller that decoded the key already ({@code id}, its UTF-8 text). */
    boolean addIfNew(ConsumerRecord<byte[], byte[]> record, String id) {
        return addIfNew(record, id, true);
    }

    private static String idOf(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    private boolean addIfNew(ConsumerRecord<byte[], byte[]> record, String id, boolean skipKnown) {
        if (id == null) {
            throw new InconsistentEventsException(null, -1, "event at " + where(record) + " has no key");
        }
        long version = version(record, id);
        // One map lookup per event on the common path (the aggregate is already in this fold).
        Folding<S> current = folding.get(id);
        boolean inFold = current != null;
        if (!inFold) {
            current = fromBase(id);
        }
        long known = current == null ? 0 : current.version;
        if (skipKnown && version <= known) {
            return false;
        }
        if (version != known + 1) {
            throw outOfOrder(id, version, known, where(record));
        }
        // Old events are read as today's (upcasters, aliases): one stored event is one version, whatever it becomes.
        EventReader.Read read = reader.read(record.value());
        if (!(read instanceof EventReader.Read.Events today)) {
            throw new InconsistentEventsException(id, version, type.name() + " '" + id + "': event at " + where(record)
                    + " cannot be read: " + ((EventReader.Read.Unreadable) read).reason());
        }
        // The command id goes into the snapshot's meta only from an aggregate's last event: read then, not per event.
        fold(id, current, inFold, version, today.events(), record.timestamp(), record.headers(), null);
        return true;
    }

    /**
     * Decodes, on the calling thread, what of the record's headers a fold reads: Kafka decodes a
     * header's name (and copies its value) on first use and keeps the result, and finding
     * {@code aggregate-version} from the end decodes every name after it; a fold's header lookups
     * on a record prepared so are string comparisons. A rebuild's reader runs it on its own
     * thread ({@link KafkaEventLog}), off the stream thread. Changes nothing a fold reads.
     *
     * <pre>{@code
     * polled.forEach(EventFold::prepare); // on the reading thread, before handing the records over
     * }</pre>
     */
    public static void prepare(ConsumerRecord<byte[], byte[]> record) {
        Header version = record.headers().lastHeader(ContractHeaders.AGGREGATE_VERSION);
        if (version != null) {
            version.value();
        }
    }

    /** The event's {@code aggregate-version} header: digits parsed from the bytes, anything else through its text. */
    private static long version(ConsumerRecord<byte[], byte[]> record, String id) {
        Header header = record.headers().lastHeader(ContractHeaders.AGGREGATE_VERSION);
        byte[] digits = header == null ? null : header.value();
        if (digits != null && digits.length > 0 && digits.length <= 18) {
            long version = 0;
            for (byte digit : digits) {
                if (digit < '0' || digit > '9') {
                    version = -1;
                    break;
                }
                version = version * 10 + (digit - '0');
            }
            if (version >= 0) {
                return version;
            }
        }
        String text = digits == null ? null : new String(digits, StandardCharsets.UTF_8);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InconsistentEventsException(id, -1, "event at " + where(record) + " has aggregate-version '" + text + "'");
        }
    }

    /** Folds one event already decoded, for example one written in a transaction not yet committed. */
    public void add(String id, long version, SpecificRecord event, long timestamp, String commandId) {
        Folding<S> current = folding.get(id);
        boolean inFold = current != null;
        if (!inFold) {
            current = fromBase(id);
        }
        long known = current == null ? 0 : current.version;
        if (version != known + 1) {
            throw outOfOrder(id, version, known, "version " + version + " of the task's own recent events");
        }
        fold(id, current, inFold, version, List.of(event), timestamp, null, commandId == null ? "" : commandId);
    }

    /** The version folded so far for an aggregate; 0 when none. */
    public long version(String id) {
        Folding<S> current = current(id);
        return current == null ? 0 : current.version;
    }

    private InconsistentEventsException outOfOrder(String id, long version, long known, String where) {
        return new InconsistentEventsException(id, version, type.name() + " '" + id + "': event at " + where
                + " has version " + version + " where version " + (known + 1) + " was expected");
    }

    /** Where the aggregate stands in this fold: what it folded, else the base's snapshot (asked once), else {@code null}. */
    private Folding<S> current(String id) {
        Folding<S> current = folding.get(id);
        return current != null ? current : fromBase(id);
    }

    /** The aggregate as {@code base} has it (asked once per aggregate per fold), or {@code null}. */
    private Folding<S> fromBase(String id) {
        Snapshot<S> stored = fromBase.computeIfAbsent(id, any -> Optional.ofNullable(base.apply(any))).orElse(null);
        return stored == null ? null : new Folding<>(stored);
    }

    private void fold(String id, Folding<S> current, boolean inFold, long version, List<SpecificRecord> events, long timestamp,
                      Headers headers, String commandId) {
        Folding<S> next = current != null ? current : new Folding<>(type.aggregate().initialState(), timestamp);
        S state = next.state;
        for (SpecificRecord event : events) {
            state = type.aggregate().evolve(state, event);
        }
        next.state = state;
        next.version = version;
        next.updatedAt = timestamp;
        next.lastHeaders = headers;
        next.lastCommandId = commandId;
        if (!inFold) {
            folding.put(id, next);
        }
        folded++;
        if (version == 1) {
            created++;
        }
    }

    /** An event's place, {@code topic/partition/offset}, for messages: built only when one is needed. */
    private static String where(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /** The snapshot of every aggregate folded so far (with a base: every aggregate this fold changed). */
    public Map<String, Snapshot<S>> snapshots() {
        Map<String, Snapshot<S>> snapshots = new HashMap<>(Math.max(16, folding.size() * 4 / 3 + 1));
        folding.forEach((id, f) -> snapshots.put(id, f.snapshot()));
        return snapshots;
    }

    /** How many events were folded. */
    public long folded() {
        return folded;
    }

    /** How many of them were an aggregate's first event (version 1): aggregates this fold created. */
    public long created() {
        return created;
    }

    /** One aggregate in the middle of a fold: mutable, so that an event costs no snapshot of its own. */
    private static final class Folding<S> {
        S state;
        long version;
        final Instant createdAt;
        long updatedAt;
        /** The last event's headers, its command id read from them when the snapshot is built. */
        Headers lastHeaders;
        String lastCommandId;

        Folding(S initial, long firstEventAt) {
            this.state = initial;
            this.createdAt = Instant.ofEpochMilli(firstEventAt);
        }

        Folding(Snapshot<S> stored) {
            this.state = stored.state();
            this.version = stored.version();
            this.createdAt = stored.meta().getCreatedAt();
        }

        Snapshot<S> snapshot() {
            String commandId = lastHeaders == null ? lastCommandId : ContractHeaders.text(lastHeaders, ContractHeaders.COMMAND_ID);
            return new Snapshot<>(version, state, new SnapshotMeta(createdAt, Instant.ofEpochMilli(updatedAt),
                    commandId == null ? "" : commandId));
        }
    }
}
