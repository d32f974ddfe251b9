package foldstream.worker.serialization;

import org.apache.avro.specific.SpecificRecord;

/** What a value in the Confluent wire format turned out to be. */
public sealed interface Decoded permits Decoded.Record, Decoded.UnknownType, Decoded.Unreadable {

    /** A record of one of the expected types, written with schema {@code schemaId}. */
    record Record(SpecificRecord record, int schemaId) implements Decoded {
    }

    /** Readable, but of a record type that was not expected. */
    record UnknownType(String fullName, int schemaId) implements Decoded {
    }

    /** Not a value in the wire format: wrong magic byte, too short, unknown schema id, a bad body. */
    record Unreadable(String reason) implements Decoded {
    }
}
