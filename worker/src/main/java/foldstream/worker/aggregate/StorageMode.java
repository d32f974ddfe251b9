package foldstream.worker.aggregate;

/** How an aggregate type keeps its data: gen_aggregate's three modes (docs/architecture.md, "Where state lives"). */
public enum StorageMode {
    /** Events on {@code S-events}, snapshots in a changelogged store. The default. */
    EVENTS_AND_SNAPSHOTS,
    /** Pure event sourcing: events on {@code S-events}; snapshots are a local cache rebuilt from events. */
    EVENTS_ONLY,
    /** Pure snapshot: no events are written; the latest state is the record of truth. */
    SNAPSHOTS_ONLY
}
