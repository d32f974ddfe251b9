package foldstream.worker.topics;

/** No Kafka broker answered at the configured address in time; the message names the address. */
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
