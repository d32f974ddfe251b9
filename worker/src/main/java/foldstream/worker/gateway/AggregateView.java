package foldstream.worker.gateway;

import foldstream.protocol.SnapshotMeta;
import org.apache.avro.specific.SpecificRecord;

/** An aggregate as a query sees it: its state at a version, with its meta (null at version 0). */
public record AggregateView(String type, String id, long version, SpecificRecord state, SnapshotMeta meta) {
}
