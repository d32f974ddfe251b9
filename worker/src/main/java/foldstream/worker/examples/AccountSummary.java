package foldstream.worker.examples;

/** An entry of the {@code account-summaries} projection, under an account id. */
public record AccountSummary(String owner, long balance, long version, long eventsApplied) {
}
