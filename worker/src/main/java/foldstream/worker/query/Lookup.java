package foldstream.worker.query;

import foldstream.worker.gateway.AggregateView;
import org.apache.kafka.streams.state.HostInfo;

/** Where a query for one aggregate ended. */
public sealed interface Lookup permits Lookup.Found, Lookup.Elsewhere, Lookup.NotReady {

    /** This instance owns the aggregate; version 0 means it does not exist yet. */
    record Found(AggregateView view) implements Lookup {
    }

    /** Another instance owns the aggregate's partition: ask it. */
    record Elsewhere(HostInfo owner) implements Lookup {
    }

    /** No instance can answer now (rebalancing, restoring, or the type is not served here). */
    record NotReady(String reason) implements Lookup {
    }
}
