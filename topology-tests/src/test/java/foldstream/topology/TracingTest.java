package foldstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.OpenAccount;
import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.observe.TraceHeaders;
import foldstream.worker.observe.Tracing;
import foldstream.worker.observe.WorkerMetrics;
import foldstream.worker.runtime.ProcessingOptions;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** With an OpenTelemetry SDK the worker records decide and write spans in the command's trace; without one, nothing. */
class TracingTest {

    @Test
    void withAnOpenTelemetrySdkDecideAndWriteAreSpansOfTheCommandsTraceAndOutputsCarryTheWriteSpan() {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                ended.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        })).build();
        Tracing tracing = Tracing.of(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
        assertThat(tracing.recording()).isTrue();
        try (Worker traced = new Worker(ExampleTypes.all(), ProcessingOptions.DEFAULTS, (config, topic, partition, each) -> { },
                new InMemorySchemaRegistry(), new WorkerMetrics(new SimpleMeterRegistry(), System::currentTimeMillis, tracing))) {
            traced.send("ex_accounts", "a1", new OpenAccount("ann"), TraceHeaders.TRACEPARENT,
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

            assertThat(ended).extracting(SpanData::getName).containsExactly("decide ex_accounts", "write ex_accounts");
            for (SpanData span : ended) {
                assertThat(span.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
                assertThat(span.getParentSpanId()).isEqualTo("b7ad6b7169203331");
            }
            String write = "00-0af7651916cd43dd8448eb211c80319c-" + ended.get(1).getSpanId() + "-01";
            assertThat(traced.events("ex_accounts")).singleElement()
                    .satisfies(event -> assertThat(event.headers()).containsEntry(TraceHeaders.TRACEPARENT, write));
            assertThat(traced.results("ex_accounts")).singleElement()
                    .satisfies(result -> assertThat(result.headers()).containsEntry(TraceHeaders.TRACEPARENT, write));
        } finally {
            provider.close();
        }
    }

    @Test
    void withoutAnSdkTheApiRecordsNothing() {
        assertThat(Tracing.of(io.opentelemetry.api.OpenTelemetry.noop()).recording()).isFalse();
    }

}
