package foldstream.ops.jmh;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UserState;
import foldstream.protocol.AggregateSnapshot;
import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.protocol.SnapshotMeta;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Users;
import foldstream.worker.runtime.CommandEvaluator;
import foldstream.worker.runtime.Snapshot;
import foldstream.worker.runtime.SnapshotCodec;
import foldstream.worker.runtime.Verdict;
import foldstream.worker.serialization.AvroBounds;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.Decoded;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-command work of the worker without a broker: decoding a command, deciding and folding
 * it, encoding and decoding a snapshot, encoding a result. Run with {@code ops/foldstream jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {

    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final SnapshotCodec snapshots = new SnapshotCodec();
    private final AggregateType<AccountState> accounts = Accounts.type();
    private final CommandEvaluator<AccountState> accountRules = new CommandEvaluator<>(accounts);
    private final CommandEvaluator<UserState> userRules = new CommandEvaluator<>(Users.type());
    private final Map<String, Class<? extends SpecificRecord>> commandTypes = Map.of(
            Deposit.getClassSchema().getFullName(), Deposit.class, Withdraw.getClassSchema().getFullName(), Withdraw.class);

    private final SpecificData stateModel = SpecificData.getForClass(AccountState.class);
    private final AvroBounds commandBounds = new AvroBounds(100_000, 64);

    private byte[] depositBytes;
    private byte[] stateBytes;
    private byte[] snapshotBytes;
    private AccountState state;
    private CommandResult result;

    @Setup
    public void setUp() {
        depositBytes = codec.encode("ex_accounts-commands-foldstream.examples.accounts.Deposit", new Deposit(25L));
        state = new AccountState("ann", 1_000L);
        stateBytes = codec.encode("ex_accounts-state-value", state);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        snapshotBytes = snapshots.encode(new AggregateSnapshot(17L, ByteBuffer.wrap(stateBytes), new SnapshotMeta(now, now, "cmd-17")));
        result = new CommandResult("cmd-18", "ex_accounts", "acc-1", Outcome.ACCEPTED, 18L, 1, null, null, List.of(), now);
    }

    @Benchmark
    public Decoded commandDecode() {
        return codec.decode(depositBytes, commandTypes);
    }

    /** As the worker decodes commands: after the bounded check that no declared length exceeds the value. */
    @Benchmark
    public Decoded commandDecodeBounded() {
        return codec.decode(depositBytes, commandTypes, commandBounds);
    }

    /** What a hot-cache hit costs to hand a state to aggregate code that may mutate it: a deep copy. */
    @Benchmark
    public AccountState cachedStateDeepCopy() {
        return stateModel.deepCopy(state.getSchema(), state);
    }

    /** The alternative: keep the state's bytes in the cache and decode them on every hit. */
    @Benchmark
    public AccountState cachedStateDecode() {
        return codec.decode(stateBytes, AccountState.class);
    }

    @Benchmark
    public Verdict<AccountState> decideAndEvolveDeposit() {
        return accountRules.evaluate("acc-1", state, 17L, new Deposit(25L), CommandEvaluator.ANY_VERSION);
    }

    @Benchmark
    public Verdict<UserState> decideAndEvolveRegisterUser() {
        return userRules.evaluate("u-1", new UserState(null, null), 0L, new RegisterUser("ann@example.com", "Annabel"),
                CommandEvaluator.ANY_VERSION);
    }

    @Benchmark
    public byte[] snapshotEncode() {
        byte[] stateBytes = codec.encode("ex_accounts-state-value", state);
        Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
        return snapshots.encode(new AggregateSnapshot(18L, ByteBuffer.wrap(stateBytes), new SnapshotMeta(now, now, "cmd-18")));
    }

    @Benchmark
    public Snapshot<AccountState> snapshotDecode() {
        return snapshots.decode(snapshotBytes, codec, AccountState.class);
    }

    @Benchmark
    public byte[] resultEncode() {
        return codec.encode("ex_accounts-results-value", result);
    }

    /** One step of a pure event sourcing rebuild: 50,000 events folded, their snapshots built. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Map<String, Snapshot<AccountState>> rebuildFoldStep(RebuildStep step) {
        return step.fold();
    }
}
