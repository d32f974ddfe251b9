package foldstream.worker.observe;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Spans through the OpenTelemetry API: {@code decide} and {@code write} in the worker, {@code send} in
 * the gateway, children of the command's W3C trace context. Without an OpenTelemetry SDK on the
 * classpath (or registered) the API hands out no-op spans, and this class does not even ask: a
 * command then costs nothing here.
 *
 * <pre>{@code
 * Tracing tracing = Tracing.of(GlobalOpenTelemetry.get());
 * Tracing.Step decide = tracing.start("decide", "ex_users", trace);
 * ...
 * decide.end();
 * }</pre>
 */
public final class Tracing {

    /** One span in progress; {@link #NONE} when nothing records. */
    public interface Step {
        /** The trace context to write on outputs: this span's, or {@code carried} when nothing records. */
        TraceHeaders.Context context(TraceHeaders.Context carried);

        void failed(String message);

        void end();
    }

    private static final Step NONE = new Step() {
        @Override
        public TraceHeaders.Context context(TraceHeaders.Context carried) {
            return carried;
        }

        @Override
        public void failed(String message) {
        }

        @Override
        public void end() {
        }
    };

    private static final TextMapGetter<TraceHeaders.Context> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceHeaders.Context carrier) {
            return carrier.tracestate() == null ? List.of(TraceHeaders.TRACEPARENT) : List.of(TraceHeaders.TRACEPARENT, TraceHeaders.TRACESTATE);
        }

        @Override
        public String get(TraceHeaders.Context carrier, String key) {
            if (carrier == null) {
                return null;
            }
            byte[] value = TraceHeaders.TRACEPARENT.equals(key) ? carrier.traceparent()
                    : TraceHeaders.TRACESTATE.equals(key) ? carrier.tracestate() : null;
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    };
    private static final TextMapSetter<Map<String, String>> SETTER = Map::put;

    private final Tracer tracer;
    private final boolean recording;

    private Tracing(Tracer tracer, boolean recording) {
        this.tracer = tracer;
        this.recording = recording;
    }

    /** Spans through {@code openTelemetry}; whether it records is asked once, here. */
    public static Tracing of(OpenTelemetry openTelemetry) {
        Tracer tracer = openTelemetry.getTracer("foldstream");
        // A span that is never ended is never exported; a no-op tracer's spans have no valid context.
        boolean recording = tracer.spanBuilder("foldstream-probe").setNoParent().startSpan().getSpanContext().isValid();
        return new Tracing(tracer, recording);
    }

    /** Through the global OpenTelemetry (an agent's or an SDK the application registered); a no-op without one. */
    public static Tracing global() {
        return of(GlobalOpenTelemetry.get());
    }

    /** Records nothing. */
    public static Tracing off() {
        return new Tracing(null, false);
    }

    public boolean recording() {
        return recording;
    }

    /** Starts {@code name} (an internal span) as a child of the command's trace context. */
    public Step start(String name, String type, TraceHeaders.Context parent) {
        return recording ? start(name, type, parent, SpanKind.INTERNAL) : NONE;
    }

    /** Starts a producer span (the gateway's {@code send}), a child of the caller's current span if any. */
    public Step startSend(String type) {
        if (!recording) {
            return NONE;
        }
        return new Recording(tracer.spanBuilder("send " + type).setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka").setAttribute("foldstream.type", type).startSpan());
    }

    private Step start(String name, String type, TraceHeaders.Context parent, SpanKind kind) {
        Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), parent, GETTER);
        return new Recording(tracer.spanBuilder(name + " " + type).setParent(context).setSpanKind(kind)
                .setAttribute("foldstream.type", type).startSpan());
    }

    private static final class Recording implements Step {
        private final Span span;

        Recording(Span span) {
            this.span = span;
        }

        @Override
        public TraceHeaders.Context context(TraceHeaders.Context carried) {
            Map<String, String> headers = new HashMap<>();
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, SETTER);
            String parent = headers.get(TraceHeaders.TRACEPARENT);
            if (parent == null) {
                return carried;
            }
            String state = headers.get(TraceHeaders.TRACESTATE);
            return new TraceHeaders.Context(parent.getBytes(StandardCharsets.US_ASCII),
                    state == null || state.isEmpty() ? null : state.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void failed(String message) {
            span.setStatus(StatusCode.ERROR, message);
        }

        @Override
        public void end() {
            span.end();
        }
    }
}
