package foldstream.worker.runtime;

/** The event store breaks its own rules: a gap in an aggregate's versions, or an event that cannot be read. */
public class InconsistentEventsException extends RuntimeException {

    private final String aggregateId;
    private final long version;

    public InconsistentEventsException(String aggregateId, long version, String message) {
        super(message);
        this.aggregateId = aggregateId;
        this.version = version;
    }

    /** The aggregate at fault, or null when the event had no key. */
    public String aggregateId() {
        return aggregateId;
    }

    /** The version found, or -1 when it could not be read. */
    public long version() {
        return version;
    }
}
