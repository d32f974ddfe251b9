package foldstream.ops.bench;

/**
 * The size of the {@code TRANSFERS} part ({@link TransfersBench}): {@code transfers} transfers requested
 * between {@code accounts} accounts opened with {@code deposit} each.
 *
 * <pre>{@code
 * TransferLoad.of(0, 0, 1_000_000, 100_000)   // not given: 20,000 transfers between 1,000 accounts
 * }</pre>
 */
public record TransferLoad(int transfers, int accounts, long deposit) {

    /** What each account is opened with: enough for a few transfers, so that some overdraw. */
    public static final long DEPOSIT = 500;

    public TransferLoad {
        if (transfers < 1 || accounts < 2 || deposit < 1) {
            throw new IllegalArgumentException("--transfers must be positive and --transfer-accounts at least 2");
        }
    }

    /**
     * The numbers given (0: not given), else a fiftieth of the throughput runs' commands (at most
     * 20,000) between a hundredth of their aggregates (at most 1,000), at least 10 of each: the
     * defaults give 20,000 between 1,000, a tiny run a few.
     */
    public static TransferLoad of(int transfers, int accounts, int commands, int aggregates) {
        return new TransferLoad(transfers > 0 ? transfers : Math.max(10, Math.min(20_000, commands / 50)),
                accounts > 0 ? accounts : Math.max(10, Math.min(1_000, aggregates / 100)), DEPOSIT);
    }
}
