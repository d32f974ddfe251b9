package foldstream.worker.serialization;

import org.apache.avro.Schema;

/**
 * How a topic and a record's schema name a registry subject, as Confluent's strategies do. Command
 * and event topics carry several record types, so they use {@link #TOPIC_RECORD_NAME}; results and
 * state carry one, so they use {@link #TOPIC_NAME}.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-value}: Confluent's TopicNameStrategy for values. */
    TOPIC_NAME {
        @Override
        public String subject(String topic, Schema schema) {
            return topic + "-value";
        }
    },
    /** {@code <topic>-<full.record.Name>}: Confluent's TopicRecordNameStrategy. */
    TOPIC_RECORD_NAME {
        @Override
        public String subject(String topic, Schema schema) {
            return topic + "-" + schema.getFullName();
        }
    };

    public abstract String subject(String topic, Schema schema);

    /**
     * The strategy the wire contract gives a topic: {@link #TOPIC_RECORD_NAME} for {@code S-commands}
     * and {@code S-events}, which carry several record types; {@link #TOPIC_NAME} for the rest.
     *
     * <pre>{@code SubjectNameStrategy.forTopic("ex_users-events")  // TOPIC_RECORD_NAME }</pre>
     */
    public static SubjectNameStrategy forTopic(String topic) {
        return topic.endsWith("-commands") || topic.endsWith("-events") ? TOPIC_RECORD_NAME : TOPIC_NAME;
    }
}
