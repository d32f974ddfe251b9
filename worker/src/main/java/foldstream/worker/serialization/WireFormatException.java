package foldstream.worker.serialization;

/** Bytes that are not a readable value in the Confluent wire format, or a record that cannot be written. */
public class WireFormatException extends RuntimeException {
    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
