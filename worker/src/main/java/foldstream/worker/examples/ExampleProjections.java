package foldstream.worker.examples;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.worker.projection.EmbeddedProjection;
import foldstream.worker.projection.JdbcProjection;
import foldstream.worker.projection.Projection;
import foldstream.worker.projection.SqlWrite;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** The example projections the demo and the tests run: {@code user-directory} (embedded) and {@code account-balances} (JDBC). */
public final class ExampleProjections {

    /** The table {@code account-balances} writes. */
    public static final String BALANCES_TABLE = "account_balances_v1";

    private ExampleProjections() {
    }

    public static List<Projection> all() {
        return List.of(userDirectory(), accountSummaries(), accountBalances());
    }

    /**
     * {@code ex_accounts} by account id into the embedded store: owner, balance, version and how many
     * events were applied. Like {@code account-balances} it computes the balance itself, so an event
     * applied twice or missed would show; the tests compare both with the fold of the events.
     */
    public static EmbeddedProjection<AccountSummary> accountSummaries() {
        return accountSummaries("ex_accounts");
    }

    /** The same projection of the account events of another stream name (the benchmark's). */
    public static EmbeddedProjection<AccountSummary> accountSummaries(String accountsStream) {
        return EmbeddedProjection.builder("account-summaries", AccountSummary.class, new AccountSummary(null, 0, 0, 0))
                .follows(accountsStream)
                .on(AccountOpened.class, (summary, opened, meta) -> new AccountSummary(opened.getOwner(), 0, meta.version(),
                        summary.eventsApplied() + 1))
                .on(MoneyDeposited.class, (summary, deposited, meta) -> new AccountSummary(summary.owner(),
                        summary.balance() + deposited.getAmount(), meta.version(), summary.eventsApplied() + 1))
                .on(MoneyWithdrawn.class, (summary, withdrawn, meta) -> new AccountSummary(summary.owner(),
                        summary.balance() - withdrawn.getAmount(), meta.version(), summary.eventsApplied() + 1))
                .build();
    }

    /**
     * {@code ex_users} by e-mail: "is this e-mail taken, and by whom?", which no single user aggregate
     * can answer. The first user to register an address keeps it; later claims are listed.
     */
    public static EmbeddedProjection<UserEntry> userDirectory() {
        return EmbeddedProjection.builder("user-directory", UserEntry.class, null)
                .follows("ex_users")
                .keyedBy(UserCreated.class, (created, meta) -> created.getEmail())
                .on(UserCreated.class, (entry, created, meta) -> {
                    if (entry == null) {
                        return new UserEntry(meta.aggregateId(), created.getEmail(), null, meta.timestamp().toEpochMilli(), List.of());
                    }
                    List<String> claims = new ArrayList<>(entry.alsoClaimedBy());
                    claims.add(meta.aggregateId());
                    return new UserEntry(entry.userId(), entry.email(), entry.name(), entry.registeredAt(), claims);
                })
                // ProfileSet has no e-mail: it goes to the key of its user's UserCreated.
                .on(ProfileSet.class, (entry, profile, meta) -> entry != null && entry.userId().equals(meta.aggregateId())
                        ? new UserEntry(entry.userId(), entry.email(), profile.getName(), entry.registeredAt(), entry.alsoClaimedBy())
                        : entry)
                .build();
    }

    /**
     * {@code ex_accounts} into a SQL table {@value #BALANCES_TABLE} (account id, owner, balance,
     * version, updated at). The balance is computed by the projection (plus each deposit, minus each
     * withdrawal), not copied from the events, so an event applied twice or missed would show.
     */
    public static JdbcProjection accountBalances() {
        return accountBalances("ex_accounts");
    }

    /** The same projection of the account events of another stream name (the benchmark's). */
    public static JdbcProjection accountBalances(String accountsStream) {
        return JdbcProjection.builder("account-balances")
                .follows(accountsStream)
                .schema("CREATE TABLE IF NOT EXISTS " + BALANCES_TABLE + " (account_id VARCHAR(200) PRIMARY KEY,"
                        + " owner VARCHAR(200) NOT NULL, balance BIGINT NOT NULL, version BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)")
                .on(AccountOpened.class, (opened, meta) -> List.of(SqlWrite.of(
                        "INSERT INTO " + BALANCES_TABLE + " (account_id, owner, balance, version, updated_at) VALUES (?, ?, 0, ?, ?)",
                        meta.aggregateId(), opened.getOwner(), meta.version(), Timestamp.from(meta.timestamp()))))
                .on(MoneyDeposited.class, (deposited, meta) -> List.of(SqlWrite.of(
                        "UPDATE " + BALANCES_TABLE + " SET balance = balance + ?, version = ?, updated_at = ? WHERE account_id = ?",
                        deposited.getAmount(), meta.version(), Timestamp.from(meta.timestamp()), meta.aggregateId())))
                .on(MoneyWithdrawn.class, (withdrawn, meta) -> List.of(SqlWrite.of(
                        "UPDATE " + BALANCES_TABLE + " SET balance = balance - ?, version = ?, updated_at = ? WHERE account_id = ?",
                        withdrawn.getAmount(), meta.version(), Timestamp.from(meta.timestamp()), meta.aggregateId())))
                .build();
    }
}
