package foldstream.worker.aggregate;

/**
 * Whether a command type creates its aggregate, needs it to exist already, or takes either.
 * An aggregate exists once it has a version above 0, that is once a command wrote events for it.
 */
public enum Creation {
    /** Only for a new aggregate; otherwise {@code ALREADY_EXISTS} (the seed's {@code with_new_aggregate}). */
    CREATES,
    /** Only for an existing aggregate; otherwise {@code NOT_FOUND} (the seed's {@code with_aggregate}). The default. */
    REQUIRES_EXISTING,
    /** Either: creates on first use (a counter needs no separate creation). */
    EITHER
}
