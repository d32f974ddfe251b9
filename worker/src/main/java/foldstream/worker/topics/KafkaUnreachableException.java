package foldstream.worker.topics;

/**
 * No Kafka broker answered at the configured address in time; the message names the address.
 *
 * <pre>{@code
 * catch (KafkaUnreachableException e) {
 *     System.err.println(e.getMessage());   // no Kafka broker answered at 127.0.0.1:9092 (bootstrap-servers) within 30000 ms ...
 * }
 * }</pre>
 */
public final class KafkaUnreachableException extends RuntimeException {

    private final String bootstrapServers;

    public KafkaUnreachableException(String bootstrapServers, String message, Throwable cause) {
        super(message, cause);
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
