package foldstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.protocol.AggregateSnapshot;
import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import foldstream.protocol.SnapshotMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import foldstream.examples.transfers.CompleteTransfer;
import foldstream.examples.transfers.FailTransfer;
import foldstream.examples.transfers.RequestTransfer;
import foldstream.examples.transfers.TransferCompleted;
import foldstream.examples.transfers.TransferFailed;
import foldstream.examples.transfers.TransferProcessState;
import foldstream.examples.transfers.TransferRequested;
import foldstream.examples.transfers.TransferStage;
import foldstream.examples.transfers.TransferState;
import foldstream.examples.transfers.TransferStatus;
import foldstream.protocol.ControlAction;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlOutcome;
import foldstream.protocol.ControlResult;
import foldstream.protocol.ProcessCommand;
import foldstream.protocol.ProcessDeadline;
import foldstream.protocol.ProcessSnapshot;
import foldstream.protocol.ProcessStatus;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every record type in schemas/avro, and the topic it travels on. */
final class ExampleRecords {

    private ExampleRecords() {
    }

    /** A record and the topic it is written to (contract topics for the domains; own topics for the protocol's parts). */
    record Example(String topic, SpecificRecord record) {
        @Override
        public String toString() {
            return record.getSchema().getFullName() + " on " + topic;
        }
    }

    static List<Example> all(String prefix) {
        Instant at = Instant.parse("2024-05-01T10:15:30.123Z");
        SnapshotMeta meta = new SnapshotMeta(at, at.plusSeconds(60), "cmd-42");
        return List.of(
                new Example(prefix + "_users-commands", new RegisterUser("ada@example.org", "Ada Lovelace")),
                new Example(prefix + "_users-commands", new UpdateProfile("Ada King")),
                new Example(prefix + "_users-events", new UserCreated("ada@example.org")),
                new Example(prefix + "_users-events", new ProfileSet("Ada King")),
                new Example(prefix + "_users-state", new UserState("ada@example.org", "Ada King")),
                new Example(prefix + "_accounts-commands", new OpenAccount("Ada")),
                new Example(prefix + "_accounts-commands", new Deposit(1_500L)),
                new Example(prefix + "_accounts-commands", new Withdraw(250L)),
                new Example(prefix + "_accounts-events", new AccountOpened("Ada")),
                new Example(prefix + "_accounts-events", new MoneyDeposited(1_500L, 1_500L)),
                new Example(prefix + "_accounts-events", new MoneyWithdrawn(250L, 1_250L)),
                new Example(prefix + "_accounts-state", new AccountState("Ada", 1_250L)),
                new Example(prefix + "_counters-commands", new Increment(-3)),
                new Example(prefix + "_counters-events", new Incremented(-3, 39L)),
                new Example(prefix + "_counters-state", new CounterState(39L)),
                new Example(prefix + "_users-results", new CommandResult("cmd-42", "ex_users", "user-1", Outcome.REJECTED, 3L, 0,
                        "REJECTED", "name too short", List.of(new FieldViolation("name", "at least 6 characters")), at)),
                new Example(prefix + "_users-results", new CommandResult("cmd-43", "ex_users", null, Outcome.MALFORMED, 0L, 0,
                        null, null, List.of(), at)),
                new Example(prefix + "-field-violations", new FieldViolation("amount", "must be positive")),
                new Example(prefix + "-snapshot-metas", meta),
                new Example(prefix + "-snapshots", new AggregateSnapshot(7L,
                        ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 9, 2, 'h', 'i'}), meta)),
                new Example(prefix + "_transfers-commands", new RequestTransfer("acc-1", "acc-2", 300L)),
                new Example(prefix + "_transfers-commands", new CompleteTransfer()),
                new Example(prefix + "_transfers-commands", new FailTransfer("acc-2 does not exist")),
                new Example(prefix + "_transfers-events", new TransferRequested("acc-1", "acc-2", 300L)),
                new Example(prefix + "_transfers-events", new TransferCompleted()),
                new Example(prefix + "_transfers-events", new TransferFailed("acc-2 does not exist")),
                new Example(prefix + "_transfers-state", new TransferState("acc-1", "acc-2", 300L, TransferStatus.REQUESTED, null)),
                new Example(prefix + "-transfer-process-states", TransferProcessState.newBuilder().setTransfer("T1").setFrom("acc-1")
                        .setTo("acc-2").setAmount(300L).setStage(TransferStage.DEPOSITING).build()),
                new Example(prefix + "_users-control", new ControlInstruction(ControlAction.REPLAY)),
                new Example(prefix + "_users-control-results", new ControlResult("replay-1", "ex_users", 2, ControlAction.REPLAY,
                        ControlOutcome.DONE, 120L, 40L, null, "partition 2: rebuilt 40 aggregates from 120 events", at)),
                new Example(prefix + "-process-snapshots", new ProcessSnapshot("transfer", "T1", ProcessStatus.ACTIVE, 2L,
                        ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 7, 4}), "corr-1", at, at.plusSeconds(1), null, null,
                        List.of(new ProcessDeadline("withdrawal", at.plusSeconds(30))),
                        List.of(new ProcessCommand("cmd-1", "ex_accounts", "acc-1", "foldstream.examples.accounts.Withdraw", at,
                                Outcome.ACCEPTED, null, null)))));
    }

    /** The full names of every record schema shipped in the schemas module's avro/ folder. */
    static Set<String> recordNamesInSchemasModule() {
        URI root;
        try {
            root = ExampleRecords.class.getClassLoader().getResource("avro/foldstream/protocol/CommandResult.avsc").toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if ("jar".equals(root.getScheme())) {
            try (FileSystem jar = FileSystems.newFileSystem(root, Map.of())) {
                return recordNames(jar.getPath("/avro"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return recordNames(Path.of(root).getParent().getParent().getParent());
    }

    private static Set<String> recordNames(Path avroFolder) {
        ObjectMapper json = new ObjectMapper();
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(avroFolder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
                JsonNode schema = json.readTree(Files.readAllBytes(file));
                if ("record".equals(schema.path("type").asText())) {
                    names.add(schema.path("namespace").asText() + "." + schema.path("name").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
