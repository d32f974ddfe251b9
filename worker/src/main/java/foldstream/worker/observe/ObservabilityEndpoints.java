package foldstream.worker.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /metrics}, {@code GET /health} and {@code GET /ready}, apart from any HTTP server: each
 * answers a status, a content type and a body, which the server writes as they are.
 *
 * <pre>{@code
 * ObservabilityEndpoints.Answer answer = endpoints.health();
 * respond(exchange, answer.status(), answer.contentType(), answer.body());
 * }</pre>
 */
public final class ObservabilityEndpoints {

    /** Prometheus' text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String JSON = "application/json";

    /** What to answer. */
    public record Answer(int status, String contentType, String body) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final PrometheusMeterRegistry registry;
    private final WorkerHealth health;

    public ObservabilityEndpoints(PrometheusMeterRegistry registry, WorkerHealth health) {
        this.registry = registry;
        this.health = health;
    }

    public Answer metrics() {
        return new Answer(200, PROMETHEUS_TEXT, registry.scrape());
    }

    /** 200 when every check is UP, else 503; the body lists each check: {@code {"status":"DOWN","checks":[{"name":...,"state":...,"detail":...}]}}. */
    public Answer health() {
        return json(health.health());
    }

    /** 200 when ready, else 503: {@code {"ready":true,"status":"UP","checks":[...]}}. */
    public Answer ready() {
        WorkerHealth.Report report = health.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", report.up());
        body.put("status", report.status());
        body.put("checks", report.checks());
        return json(report.up(), body);
    }

    private static Answer json(WorkerHealth.Report report) {
        return json(report.up(), report);
    }

    private static Answer json(boolean up, Object body) {
        try {
            return new Answer(up ? 200 : 503, JSON, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the health report", e);
        }
    }
}
