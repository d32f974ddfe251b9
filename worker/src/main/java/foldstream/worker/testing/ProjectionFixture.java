package foldstream.worker.testing;

import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.EventUpcaster;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.projection.runtime.ProjectionEventReader;
import foldstream.worker.runtime.AggregateTopics;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Tests a projection without Kafka or a database: given events of some aggregates, then these
 * states per key (embedded projections) or these SQL writes (JDBC projections). Each event is
 * written in Avro and read back with the contract's headers, through the same reader (and
 * upcaster) the runners use; versions run 1, 2, 3, ... per aggregate in the order given.
 *
 * <pre>{@code
 * ProjectionFixture.of(ExampleProjections.userDirectory())
 *         .given("u1", new UserCreated("ann@example.com"), new ProfileSet("Ann Smith"))
 *         .expectState("ann@example.com", entry -> entry.name().equals("Ann Smith"));
 *
 * ProjectionFixture.of(ExampleProjections.accountBalances())
 *         .given("a1", new AccountOpened("ann"))
 *         .expectWrites(SqlWrite.of("INSERT INTO ...", "a1", "ann", 1L, ...));
 * }</pre>
 *
 * <p>Failed expectations throw {@link AssertionError}, so it works with any test framework.
 *
 * @param <S> the state per key of an embedded projection ({@code Void} for a JDBC one)
 */
public final class ProjectionFixture<S> {

    private static final Instant CLOCK_START = Instant.parse("2026-01-01T00:00:00Z");

    private final Projection projection;
    private final ProjectionEventReader reader;
    private final AvroWireCodec codec = new AvroWireCodec(new InMemorySchemaRegistry(), true);
    private final Map<String, Long> versions = new HashMap<>();
    private final Map<String, String> keys = new HashMap<>();
    private final Map<String, S> states = new LinkedHashMap<>();
    private final List<SqlWrite> writes = new ArrayList<>();
    private long offset;

    private ProjectionFixture(Projection projection, EventUpcaster upcaster) {
        this.projection = Objects.requireNonNull(projection, "projection");
        this.reader = new ProjectionEventReader(projection, codec, upcaster);
    }

    public static <S> ProjectionFixture<S> of(EmbeddedProjection<S> projection) {
        return new ProjectionFixture<>(projection, EventUpcaster.NONE);
    }

    public static ProjectionFixture<Void> of(JdbcProjection projection) {
        return new ProjectionFixture<>(projection, EventUpcaster.NONE);
    }

    /** With an upcaster between the events and the handlers, as the runners would call it. */
    public ProjectionFixture<S> withUpcaster(EventUpcaster upcaster) {
        return new ProjectionFixture<>(projection, upcaster);
    }

    /** Events of aggregate {@code aggregateId} of the projection's first followed type. */
    public ProjectionFixture<S> given(String aggregateId, SpecificRecord... events) {
        return given(projection.follows().get(0), aggregateId, events);
    }

    /** Events of an aggregate of the type {@code aggregateType}, at its next versions. */
    public ProjectionFixture<S> given(String aggregateType, String aggregateId, SpecificRecord... events) {
        if (!projection.follows().contains(aggregateType)) {
            throw new IllegalArgumentException("projection " + projection.name() + " does not follow " + aggregateType
                    + "; it follows " + projection.follows());
        }
        for (SpecificRecord event : events) {
            apply(aggregateType, aggregateId, event);
        }
        return this;
    }

    private void apply(String type, String id, SpecificRecord event) {
        String aggregate = type + "/" + id;
        long version = versions.merge(aggregate, 1L, Long::sum);
        String topic = AggregateTopics.of(type).events();
        String commandId = "command-" + (offset + 1);
        RecordHeaders headers = new RecordHeaders();
        headers.add(ContractHeaders.COMMAND_ID, ContractHeaders.utf8(commandId));
        headers.add(ContractHeaders.CORRELATION_ID, ContractHeaders.utf8(commandId));
        headers.add(ContractHeaders.CAUSATION_ID, ContractHeaders.utf8(commandId));
        headers.add(ContractHeaders.AGGREGATE_VERSION, ContractHeaders.utf8(version));
        headers.add(ContractHeaders.EVENT_ID, ContractHeaders.utf8(java.util.UUID.nameUUIDFromBytes((type + '\u0000' + id + '\u0000' + version)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()));
        headers.add(ContractHeaders.EVENT_TYPE, ContractHeaders.utf8(event.getSchema().getFullName()));
        headers.add(ContractHeaders.AGGREGATE_TYPE, ContractHeaders.utf8(type));
        byte[] value = codec.encode(SubjectNameStrategy.TOPIC_RECORD_NAME.subject(topic, event.getSchema()), event);
        long at = offset++;
        ProjectionEventReader.Read read = reader.read(topic, 0, at, CLOCK_START.plusSeconds(at).toEpochMilli(), ContractHeaders.utf8(id), headers, value);
        if (!(read instanceof ProjectionEventReader.Wanted wanted)) {
            if (read instanceof ProjectionEventReader.Unreadable unreadable) {
                throw new AssertionError("the event cannot be read back: " + unreadable.reason());
            }
            return;
        }
        for (SpecificRecord each : wanted.events()) {
            if (projection instanceof EmbeddedProjection<?> embedded) {
                fold(castEmbedded(embedded), aggregate, each, wanted);
            } else {
                writes.addAll(((JdbcProjection) projection).writes(each, wanted.meta()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private EmbeddedProjection<S> castEmbedded(EmbeddedProjection<?> embedded) {
        return (EmbeddedProjection<S>) embedded;
    }

    /** The runner's rule: the declared key, else the key of the aggregate's earlier event, else the aggregate id. */
    private void fold(EmbeddedProjection<S> embedded, String aggregate, SpecificRecord event, ProjectionEventReader.Wanted wanted) {
        Optional<String> declared = embedded.declaredKey(event, wanted.meta());
        String key = declared.orElseGet(() -> keys.getOrDefault(aggregate, embedded.keyedOtherwise() ? null : wanted.meta().aggregateId()));
        if (key == null) {
            throw new AssertionError("projection " + embedded.name() + " has no key for " + wanted.meta().describe()
                    + ": no earlier event of the aggregate declared one (the runner stops the aggregate here)");
        }
        keys.put(aggregate, key);
        S current = states.containsKey(key) ? states.get(key) : embedded.initialState();
        states.put(key, embedded.apply(current, event, wanted.meta()));
    }

    /** The state under {@code key}, or empty when no event reached it. */
    public Optional<S> state(String key) {
        return Optional.ofNullable(states.get(key));
    }

    /** Every SQL write so far, in order. */
    public List<SqlWrite> writes() {
        return List.copyOf(writes);
    }

    public ProjectionFixture<S> expectState(String key, S expected) {
        S actual = states.get(key);
        if (!states.containsKey(key)) {
            throw new AssertionError("expected a state under '" + key + "' but no event reached it; keys: " + states.keySet());
        }
        if (!Objects.equals(actual, expected)) {
            throw new AssertionError("state under '" + key + "':\n  expected " + expected + "\n  but was  " + actual);
        }
        return this;
    }

    public ProjectionFixture<S> expectState(String key, java.util.function.Predicate<S> expected) {
        if (!states.containsKey(key)) {
            throw new AssertionError("expected a state under '" + key + "' but no event reached it; keys: " + states.keySet());
        }
        if (!expected.test(states.get(key))) {
            throw new AssertionError("the state under '" + key + "' does not match: " + states.get(key));
        }
        return this;
    }

    public ProjectionFixture<S> expectNoState(String key) {
        if (states.containsKey(key)) {
            throw new AssertionError("expected no state under '" + key + "' but found " + states.get(key));
        }
        return this;
    }

    /** Exactly these writes, in this order, since the fixture began. */
    public ProjectionFixture<S> expectWrites(SqlWrite... expected) {
        if (!writes.equals(List.of(expected))) {
            throw new AssertionError("writes:\n  expected " + List.of(expected) + "\n  but were " + writes);
        }
        return this;
    }
}
