package foldstream.worker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private static boolean valid(String traceparent) {
        return TraceHeaders.valid(traceparent.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsTheW3cForms() {
        assertThat(valid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).isTrue();
        assertThat(valid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")).isTrue();
        // A later version is read by its first 55 characters; what follows starts with '-'.
        assertThat(valid("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")).isTrue();

        assertThat(valid("00-00000000000000000000000000000000-b7ad6b7169203331-01")).as("zero trace id").isFalse();
        assertThat(valid("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")).as("zero parent id").isFalse();
        assertThat(valid("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).as("version ff").isFalse();
        assertThat(valid("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")).as("upper case").isFalse();
        assertThat(valid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x")).as("version 00 with more").isFalse();
        assertThat(valid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01")).as("short").isFalse();
        assertThat(valid("")).isFalse();
    }

    @Test
    void aValidContextIsCarriedWithItsStateAndAnInvalidOneReplaced() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TraceHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes());
        headers.add(TraceHeaders.TRACESTATE, "congo=t61rcWkgMzE".getBytes());
        TraceHeaders.Context carried = TraceHeaders.of(headers);
        assertThat(carried.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        RecordHeaders out = new RecordHeaders();
        carried.addTo(out);
        assertThat(new String(out.lastHeader(TraceHeaders.TRACESTATE).value())).isEqualTo("congo=t61rcWkgMzE");

        RecordHeaders bad = new RecordHeaders();
        bad.add(TraceHeaders.TRACEPARENT, "garbage".getBytes());
        bad.add(TraceHeaders.TRACESTATE, "congo=t61rcWkgMzE".getBytes());
        TraceHeaders.Context fresh = TraceHeaders.of(bad);
        assertThat(fresh.tracestate()).as("a tracestate without a valid traceparent is dropped").isNull();
        assertThat(TraceHeaders.valid(fresh.traceparent())).isTrue();
    }

    @Test
    void newTracesAreValidSampledAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            TraceHeaders.Context context = TraceHeaders.fresh();
            String text = new String(context.traceparent(), StandardCharsets.US_ASCII);
            assertThat(TraceHeaders.valid(context.traceparent())).as(text).isTrue();
            assertThat(text).startsWith("00-").endsWith("-01");
            ids.add(context.traceId());
        }
        assertThat(ids).hasSize(1000);
    }
}
