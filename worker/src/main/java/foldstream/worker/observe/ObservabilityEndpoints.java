package foldstream.worker.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /metrics}, {@code GET /health} and {@code GET /ready}, apart from any HTTP server: each
 * answers a status, a content type and a body: Prometheus text for the metrics, a value Jackson
 * writes as JSON for the probes.
 *
 * <pre>{@code
 * ObservabilityEndpoints.Answer answer = endpoints.health();
 * // answer.status(): 200 or 503; answer.body(): {"status":"DOWN","checks":[{"name":...,"state":...,"detail":...}]}
 * }</pre>
 */
public final class ObservabilityEndpoints {

    /** Prometheus' text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String JSON = "application/json";

    /**
     * What to answer.
     *
     * @param body the text itself for {@link #PROMETHEUS_TEXT}; for {@link #JSON}, a record or map Jackson writes
     */
    public record Answer(int status, String contentType, Object body) {
        public boolean json() {
            return JSON.equals(contentType);
        }
    }

    private final PrometheusMeterRegistry registry;
    private final WorkerHealth health;

    public ObservabilityEndpoints(PrometheusMeterRegistry registry, WorkerHealth health) {
        this.registry = registry;
        this.health = health;
    }

    public Answer metrics() {
        return new Answer(200, PROMETHEUS_TEXT, registry.scrape());
    }

    /**
     * 200 when every check is UP, else 503; the body lists each check:
     * {@code {"status":"DOWN","checks":[{"name":...,"state":...,"detail":...}]}}.
     *
     * @param details whether the checks are shown (they name partitions and errors: for callers with
     *     the {@code ops} grant); without, the body is only {@code {"status":"DOWN"}}
     */
    public Answer health(boolean details) {
        WorkerHealth.Report report = health.health();
        Object body = details ? report : Map.of("status", report.status());
        return new Answer(report.up() ? 200 : 503, JSON, body);
    }

    /** 200 when ready, else 503: {@code {"ready":true,"status":"UP","checks":[...]}}, the checks only with {@code details}. */
    public Answer ready(boolean details) {
        WorkerHealth.Report report = health.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", report.up());
        body.put("status", report.status());
        if (details) {
            body.put("checks", report.checks());
        }
        return new Answer(report.up() ? 200 : 503, JSON, body);
    }
}
