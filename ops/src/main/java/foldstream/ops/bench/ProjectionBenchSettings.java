package foldstream.ops.bench;

/**
 * What the benchmark's projection part reads.
 *
 * <pre>{@code
 * new ProjectionBenchSettings(1_000_000)   // the default: a million ex_accounts events
 * }</pre>
 *
 * @param events events written once to the topic every reader catches up on (default 1,000,000);
 *     they go to at most {@code --aggregates} accounts
 */
public record ProjectionBenchSettings(int events) {

    /** A million events. */
    public static final ProjectionBenchSettings DEFAULT = new ProjectionBenchSettings(1_000_000);

    public ProjectionBenchSettings {
        if (events < 1) {
            throw new IllegalArgumentException("--projection-events must be positive, was " + events);
        }
    }
}
