package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.CommandResult;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.CommandProcessor;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The hot-aggregate cache changes nothing but speed, and never serves a state older than the store's. */
class HotAggregateCacheTest {

    private static List<String> run(ProcessingOptions options, long seed) {
        try (Worker worker = new Worker(ExampleTypes.all(), options)) {
            Random random = new Random(seed);
            for (int i = 0; i < 400; i++) {
                String id = "acc-" + random.nextInt(25);
                SpecificRecord command = switch (random.nextInt(4)) {
                    case 0 -> new OpenAccount("owner");
                    case 1 -> new Withdraw(1L + random.nextInt(30));
                    default -> new Deposit(1L + random.nextInt(20));
                };
                worker.send("ex_accounts", id, command);
                worker.clock.advance(Duration.ofSeconds(random.nextInt(20)));
                worker.driver.advanceWallClockTime(Duration.ofSeconds(random.nextInt(20)));
            }
            List<String> seen = new ArrayList<>();
            worker.results("ex_accounts").forEach(r -> seen.add(r.key() + " " + r.result().getOutcome() + "@" + r.result().getVersion()));
            worker.events("ex_accounts").forEach(e -> seen.add(e.key() + " " + e.event()));
            return seen;
        }
    }

    @Test
    void resultsAndEventsAreTheSameWithAndWithoutTheCache() {
        List<String> uncached = run(new ProcessingOptions(Duration.ofDays(1), 0, Duration.ofMinutes(1)), 7);
        // A cache smaller than the working set with a short TTL: evictions by size and by idleness.
        List<String> small = run(new ProcessingOptions(Duration.ofDays(1), 3, Duration.ofSeconds(30)), 7);
        List<String> large = run(new ProcessingOptions(Duration.ofDays(1), 10_000, Duration.ofHours(1)), 7);
        assertThat(small).isEqualTo(uncached);
        assertThat(large).isEqualTo(uncached);
    }

    @Test
    void reinitialisedTaskReadsTheStoreNotWhatItHadCached() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroWireCodec codec = new AvroWireCodec(registry, true);
        MutableClock clock = new MutableClock(Worker.START);
        AggregateTopics topics = AggregateTopics.of("ex_accounts");
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> snapshots = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(topics.snapshotStore()), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        snapshots.init(context.getStateStoreContext(), snapshots);
        context.addStateStore(snapshots);
        KeyValueStore<String, byte[]> ids = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(topics.commandIdStore()), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        ids.init(context.getStateStoreContext(), ids);
        context.addStateStore(ids);
        KeyValueStore<Long, byte[]> held = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(topics.heldStore()), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        held.init(context.getStateStoreContext(), held);
        context.addStateStore(held);
        foldstream.worker.runtime.CommitCounter commits = new foldstream.worker.runtime.CommitCounter(topics.commitCounter());
        commits.init(context.getStateStoreContext(), commits);
        context.addStateStore(commits);

        CommandProcessor<AccountState> processor = new CommandProcessor<>(Accounts.type(), codec, ProcessingOptions.DEFAULTS, clock,
                (config, topic, partition, each) -> { }); // S-results as the answers are written back from: empty here
        processor.init(context);
        long[] offset = {0};
        java.util.function.Function<SpecificRecord, CommandResult> send = command -> {
            context.resetForwards();
            context.setRecordMetadata(topics.commands(), 0, offset[0]++);
            byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topics.commands(), command.getSchema()), command);
            processor.process(new Record<>("a1".getBytes(), value, 0L, new RecordHeaders()));
            byte[] result = context.forwarded().stream()
                    .filter(f -> f.childName().orElseThrow().startsWith(topics.results()))
                    .findFirst().orElseThrow().record().value();
            return codec.decode(result, CommandResult.class);
        };

        send.apply(new OpenAccount("ann"));
        byte[] atVersionOne = snapshots.get("a1");
        assertThat(send.apply(new Deposit(10L)).getVersion()).isEqualTo(2);

        // The task is closed and reopened with its store back at version 1, as after an aborted
        // transaction: the cache held version 2, which the store never committed.
        processor.close();
        snapshots.put("a1", atVersionOne);
        processor.init(context);

        CommandResult afterRestore = send.apply(new Deposit(5L));
        assertThat(afterRestore.getVersion()).isEqualTo(2);
        assertThat(send.apply(new Withdraw(6L)).getOutcome()).isEqualTo(foldstream.protocol.Outcome.REJECTED);
    }
}
