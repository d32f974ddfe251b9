package foldstream.worker.projection.runtime;

import foldstream.worker.runtime.ContractHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What the router of an embedded projection hands its applier (through a repartition topic when
 * the projection is keyed otherwise than by aggregate id): the event record itself, keyed by the
 * projection key, with its own headers plus three of the router's: the step, the aggregate id and
 * where the event was read.
 */
final class ProjectionSteps {

    static final String STEP = "foldstream-projection-step";
    static final String AGGREGATE_ID = "foldstream-projection-aggregate-id";
    static final String SOURCE = "foldstream-projection-source";

    /** The event, for the handlers. */
    static final String EVENT = "event";
    /** An event the projection has no handler for: only the version moves. */
    static final String MARKER = "marker";
    /** The aggregate stopped upstream (a gap): the value is the reason. */
    static final String STOP = "stop";

    /** On what the applier forwards: where it goes. */
    static final String OUTPUT = "foldstream-projection-output";
    static final String OUTPUT_DLQ = "dlq";
    static final String OUTPUT_STATE = "state";

    private ProjectionSteps() {
    }

    static Headers headers(Headers original, String step, String aggregateId, String topic, int partition, long offset) {
        Headers headers = new RecordHeaders(original.toArray());
        headers.remove(STEP).remove(AGGREGATE_ID).remove(SOURCE);
        headers.add(STEP, ContractHeaders.utf8(step));
        headers.add(AGGREGATE_ID, ContractHeaders.utf8(aggregateId));
        headers.add(SOURCE, ContractHeaders.utf8(topic + "/" + partition + "/" + offset));
        return headers;
    }

    /** {@code topic/partition/offset} split; the topic may itself contain '/'-free characters only. */
    record Source(String topic, int partition, long offset) {
        static Source of(Headers headers) {
            String text = ContractHeaders.text(headers, SOURCE);
            int last = text.lastIndexOf('/');
            int middle = text.lastIndexOf('/', last - 1);
            return new Source(text.substring(0, middle), Integer.parseInt(text.substring(middle + 1, last)),
                    Long.parseLong(text.substring(last + 1)));
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
