package foldstream.worker.projection;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The seam where events are mapped before a projection's handlers see them: an event whose schema
 * changed incompatibly becomes zero or more events of today's types. Every projection runner calls
 * it on every event it reads, before the handlers and before the fixture's handlers. Foldstream's
 * upcaster registry plugs in here; until then {@link #NONE} passes every event through unchanged.
 *
 * <pre>{@code
 * EventUpcaster renames = (event, meta) -> event instanceof OldUserCreated old
 *         ? List.of(new UserCreated(old.getMail())) : List.of(event);
 * }</pre>
 */
@FunctionalInterface
public interface EventUpcaster {

    EventUpcaster NONE = (event, meta) -> List.of(event);

    /** Today's events for {@code event}: the event itself when nothing changed. */
    List<SpecificRecord> upcast(SpecificRecord event, EventMeta meta);
}
