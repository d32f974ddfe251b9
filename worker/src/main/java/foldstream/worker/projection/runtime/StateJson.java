package foldstream.worker.projection.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How the states of embedded projections are stored and answered: JSON, by Jackson (records and
 * plain values work as they are). One mapper per runner; it is thread-safe once configured.
 */
public final class StateJson {

    private final ObjectMapper mapper = new ObjectMapper();

    public byte[] write(Object state) {
        try {
            return mapper.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the projection state " + state.getClass().getName()
                    + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public <S> S read(byte[] bytes, Class<S> type) {
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored projection state does not read as " + type.getName(), e);
        }
    }

    public JsonNode tree(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored projection state is not JSON", e);
        }
    }

    public JsonNode tree(Object value) {
        return mapper.valueToTree(value);
    }
}
