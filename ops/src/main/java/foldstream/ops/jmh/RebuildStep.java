package foldstream.ops.jmh;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.examples.Accounts;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.runtime.EventFold;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.protocol.AggregateSnapshot;
import java.nio.ByteBuffer;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One step of a pure event sourcing rebuild without a broker or a store: 50,000 events of
 * {@code ex_accounts} (the benchmark's restore history: 10 events per aggregate on average, the
 * headers the worker writes) folded on top of the snapshots of the steps before (each decoded when
 * read, as from the store), then turned into the snapshots the step stores. Divide the score by 50,000 for a figure per event:
 * {@code ops/foldstream jmh rebuildFoldStep}. Each invocation gets fresh headers as a consumer hands
 * them over (Kafka decodes a header's name on first use), prepared or not as the rebuild's
 * read-ahead thread prepares them ({@code prepared=true}: that work is done before the clock runs).
 */
@State(Scope.Thread)
public class RebuildStep {

    private static final int STEP = 50_000;
    private static final int AGGREGATES = 16_667;

    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final AggregateType<AccountState> accounts = Accounts.type();
    private final List<ConsumerRecord<byte[], byte[]>> step = new ArrayList<>(STEP);
    private final SnapshotCodec envelope = new SnapshotCodec();
    /** The snapshots of the steps before, encoded as the store keeps them: each read decodes, as a store read does. */
    private final Map<String, byte[]> before = new HashMap<>();

    /** Whether the step's records come prepared ({@code EventFold.prepare}), as the rebuild's read-ahead thread hands them over. */
    @Param({"true", "false"})
    public boolean prepared;

    /** A step from the middle of a rebuild: every aggregate already opened by an earlier step. */
    @Setup
    public void setUp() {
        String topic = "ex_accounts-events";
        EventFold<AccountState> opening = new EventFold<>(accounts, codec);
        long[] versions = new long[AGGREGATES];
        SplittableRandom random = new SplittableRandom(42);
        List<ConsumerRecord<byte[], byte[]>> opened = new ArrayList<>(AGGREGATES);
        for (int i = 0; i < AGGREGATES + STEP; i++) {
            int aggregate = i < AGGREGATES ? i : random.nextInt(AGGREGATES);
            SpecificRecord event = i < AGGREGATES ? new AccountOpened("owner-" + aggregate) : new MoneyDeposited(1L, 1L);
            long version = ++versions[aggregate];
            RecordHeaders headers = new RecordHeaders();
            String commandId = "c" + i;
            headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(commandId));
            headers.add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8(commandId));
            headers.add(ContractHeaders.CAUSATION_ID, ContractHeaders.utf8(commandId));
            headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version));
            headers.add(ContractHeaders.EVENT_ID, ContractHeaders.utf8("00000000-0000-0000-0000-" + String.format("%012d", i)));
            headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(event.getSchema().getFullName()));
            headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8("ex_accounts"));
            byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, event.getSchema()), event);
            ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(topic, 0, i, 1_700_000_000_000L + i, TimestampType.CREATE_TIME,
                    0, value.length, ("acc-" + aggregate).getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
            (i < AGGREGATES ? opened : step).add(record);
        }
        opened.forEach(opening::add);
        opening.snapshots().forEach((id, snapshot) -> before.put(id, envelope.encode(new AggregateSnapshot(snapshot.version(),
                ByteBuffer.wrap(codec.encode("ex_accounts-state-value", snapshot.state())), snapshot.meta()))));
    }

    /** Headers as a consumer parses them, names not yet decoded, for every record of the step. */
    @Setup(Level.Invocation)
    public void freshHeaders() {
        for (int i = 0; i < step.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = step.get(i);
            RecordHeaders fresh = new RecordHeaders();
            for (Header header : record.headers()) {
                fresh.add(new RecordHeader(ByteBuffer.wrap(header.key().getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(header.value())));
            }
            ConsumerRecord<byte[], byte[]> parsed = new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    record.timestampType(), record.serializedKeySize(), record.serializedValueSize(), record.key(), record.value(), fresh,
                    Optional.empty());
            if (prepared) {
                EventFold.prepare(parsed);
            }
            step.set(i, parsed);
        }
    }

    /** Folds the step's events, as {@code PartitionRebuild} does, and builds the snapshots it would store. */
    Map<String, Snapshot<AccountState>> fold() {
        EventFold<AccountState> fold = new EventFold<>(accounts, codec, this::stored);
        for (ConsumerRecord<byte[], byte[]> record : step) {
            fold.addIfNew(record);
        }
        return fold.snapshots();
    }

    private Snapshot<AccountState> stored(String id) {
        byte[] bytes = before.get(id);
        return bytes == null ? null : envelope.decode(bytes, codec, AccountState.class);
    }
}
