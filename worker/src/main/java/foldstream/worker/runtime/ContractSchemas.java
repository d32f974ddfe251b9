package foldstream.worker.runtime;

import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlResult;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.serialization.SubjectNameStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which record types each topic of an aggregate type carries, and the registry subject each is
 * written under (docs/contract.md): every command on {@code S-commands} and every event
 * on {@code S-events} under {@code <topic>-<full.Name>}; {@code CommandResult} under
 * {@code S-results-value}; the state record under {@code S-state-value} (the snapshot store writes it
 * there too, published or not).
 *
 * <pre>{@code
 * for (ContractSchemas.TopicSchema s : ContractSchemas.of(users)) {
 *     System.out.println(s.subject());   // ex_users-commands-foldstream.examples.users.RegisterUser, ...
 * }
 * }</pre>
 */
public final class ContractSchemas {

    private ContractSchemas() {
    }

    /** One record type on one topic, and its subject. */
    public record TopicSchema(String topic, String subject, Class<? extends SpecificRecord> recordClass) {
    }

    /** Commands, events, result, state and the control records of the type, in that order; commands and events by subject. */
    public static List<TopicSchema> of(AggregateType<?> type) {
        AggregateTopics topics = AggregateTopics.of(type.name());
        List<TopicSchema> schemas = new ArrayList<>();
        List<TopicSchema> commands = new ArrayList<>();
        for (Class<? extends SpecificRecord> command : type.commands().keySet()) {
            commands.add(schema(topics.commands(), command));
        }
        List<TopicSchema> events = new ArrayList<>();
        for (Class<? extends SpecificRecord> event : type.events()) {
            events.add(schema(topics.events(), event));
        }
        // The type keeps its records in unordered sets; sorted, every start-up reports the same order.
        commands.sort(Comparator.comparing(TopicSchema::subject));
        events.sort(Comparator.comparing(TopicSchema::subject));
        schemas.addAll(commands);
        schemas.addAll(events);
        schemas.add(schema(topics.results(), CommandResult.class));
        schemas.add(schema(topics.state(), type.stateClass()));
        schemas.add(schema(topics.control(), ControlInstruction.class));
        schemas.add(schema(topics.controlResults(), ControlResult.class));
        return schemas;
    }

    /**
     * The record classes a topic of the type carries, for a {@code WireFormatDeserializer}.
     *
     * @throws IllegalArgumentException when the topic is not one of the type's value topics
     */
    public static List<Class<? extends SpecificRecord>> recordTypesOf(AggregateType<?> type, String topic) {
        List<Class<? extends SpecificRecord>> classes = new ArrayList<>();
        for (TopicSchema schema : of(type)) {
            if (schema.topic().equals(topic)) {
                classes.add(schema.recordClass());
            }
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(topic + " is not a commands, events, results or state topic of " + type.name());
        }
        return classes;
    }

    private static TopicSchema schema(String topic, Class<? extends SpecificRecord> recordClass) {
        String subject = SubjectNameStrategy.forTopic(topic).subject(topic, SpecificData.get().getSchema(recordClass));
        return new TopicSchema(topic, subject, recordClass);
    }
}
