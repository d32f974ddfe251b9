package foldstream.worker.projection.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/** Where a read of one key of an embedded projection ended. */
public sealed interface ProjectionLookup permits ProjectionLookup.Found, ProjectionLookup.Elsewhere, ProjectionLookup.NotReady {

    /**
     * This instance owns the key. {@code state} is empty when no event reached the key yet;
     * {@code applied} is the asked aggregate's progress at this key (version 0 when none).
     */
    record Found(Optional<JsonNode> state, Optional<Progress> applied) implements ProjectionLookup {
    }

    /** Another instance owns the key: ask it. */
    record Elsewhere(HostInfo owner) implements ProjectionLookup {
    }

    /** No instance can answer now (starting, rebalancing, restoring). */
    record NotReady(String reason) implements ProjectionLookup {
    }
}
