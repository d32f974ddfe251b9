package foldstream.worker.serialization;

import org.apache.avro.Schema;

/** One version of a subject: the subject, its version number (from 1), the global id and the schema. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
}
