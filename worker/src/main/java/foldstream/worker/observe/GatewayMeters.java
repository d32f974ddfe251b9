package foldstream.worker.observe;

import foldstream.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@code CommandGateway}'s meters, in whichever JVM uses it: commands sent, results received by
 * outcome, timeouts, commands in flight and the time from send to result, per aggregate type.
 *
 * <pre>{@code
 * CommandGateway gateway = new CommandGateway(kafka, codec, List.of("ex_accounts"), prometheusRegistry);
 * // foldstream_gateway_commands_sent_total{type="ex_accounts"} ...
 * }</pre>
 */
public final class GatewayMeters {

    private final MeterRegistry registry;
    private final Map<String, PerType> types = new ConcurrentHashMap<>();

    private final class PerType {
        final Counter sent;
        final Counter timeouts;
        final Timer latency;
        final Map<Outcome, Counter> results = new ConcurrentHashMap<>();
        final String type;

        PerType(String type) {
            this.type = type;
            sent = Counter.builder("foldstream.gateway.commands.sent").description("Commands this gateway sent")
                    .tag("type", type).register(registry);
            timeouts = Counter.builder("foldstream.gateway.timeouts").description("Commands whose result did not come in time")
                    .tag("type", type).register(registry);
            latency = Timer.builder("foldstream.gateway.latency").description("From sending a command to receiving its result")
                    .tag("type", type).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                    .register(registry);
        }

        Counter result(Outcome outcome) {
            return results.computeIfAbsent(outcome, o -> Counter.builder("foldstream.gateway.results.received")
                    .description("Results received for this gateway's commands, by outcome")
                    .tags("type", type, "outcome", o.name()).register(registry));
        }

        PerType registerAll() {
            for (Outcome outcome : Outcome.values()) {
                result(outcome);
            }
            return this;
        }
    }

    /**
     * @param gateway the gateway's client id, which tells gateways sharing a registry apart in the in-flight gauge
     * @param types the types the gateway sends to: their meters show from the start, at zero
     * @param inFlight the number of commands waiting for their results
     */
    public GatewayMeters(MeterRegistry registry, String gateway, Collection<String> types, Supplier<Number> inFlight) {
        this.registry = registry;
        types.forEach(type -> this.types.put(type, new PerType(type).registerAll()));
        Gauge.builder("foldstream.gateway.in.flight", inFlight).description("Commands sent and waiting for their result")
                .tag("gateway", gateway).strongReference(true).register(registry);
    }

    /** Meters that go nowhere: a gateway made without a registry. */
    public static MeterRegistry none() {
        return new CompositeMeterRegistry();
    }

    private PerType type(String type) {
        return types.computeIfAbsent(type, PerType::new);
    }

    public void sent(String type) {
        type(type).sent.increment();
    }

    public void received(String type, Outcome outcome, long sentAtNanos) {
        PerType meters = type(type);
        meters.result(outcome).increment();
        meters.latency.record(System.nanoTime() - sentAtNanos, TimeUnit.NANOSECONDS);
    }

    public void timedOut(String type) {
        type(type).timeouts.increment();
    }
}
