package foldstream.worker.serialization;

/**
 * The registry could not be reached or answered with a server error, after the client's retries.
 * Nothing is decided about the data: a worker that meets this stops the current record without
 * committing it, so the command is processed again once the registry is back.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {

    public SchemaRegistryUnavailableException(String subject, String message, Throwable cause) {
        super(STORE_ERROR, subject, message, cause);
    }
}
