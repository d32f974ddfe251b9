package foldstream.worker.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /health}: 200 while Kafka Streams runs or starts, 503 once it stopped or failed;
 * {@code GET /ready}: 200 only while it is {@code RUNNING} (every store restored). Both name the state.
 */
public final class ProbeEndpoints {

    private final Supplier<KafkaStreams.State> state;

    public ProbeEndpoints(Supplier<KafkaStreams.State> state) {
        this.state = state;
    }

    public Reply health(Call call) {
        KafkaStreams.State now = state.get();
        boolean alive = now != KafkaStreams.State.ERROR && now != KafkaStreams.State.NOT_RUNNING
                && now != KafkaStreams.State.PENDING_ERROR;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", alive ? "UP" : "DOWN");
        body.put("streams", now.name());
        return Reply.of(alive ? 200 : 503, body);
    }

    public Reply ready(Call call) {
        KafkaStreams.State now = state.get();
        boolean ready = now == KafkaStreams.State.RUNNING;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", ready);
        body.put("streams", now.name());
        return Reply.of(ready ? 200 : 503, body);
    }
}
