package foldstream.worker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.worker.projection.SqlWrite;
import foldstream.worker.testing.ProjectionFixture;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example projections, through the fixture: what the demo's directory and balances hold. */
class ExampleProjectionsTest {

    @Test
    void theDirectoryAnswersByEmailWithTheNameThatFollowedTheRegistration() {
        ProjectionFixture.of(ExampleProjections.userDirectory())
                .given("u1", new UserCreated("ann@example.com"), new ProfileSet("Ann Smith"))
                .given("u2", new UserCreated("bob@example.com"))
                .expectState("ann@example.com", entry -> entry.userId().equals("u1") && entry.name().equals("Ann Smith"))
                .expectState("bob@example.com", entry -> entry.userId().equals("u2") && entry.name() == null)
                .expectNoState("u1");
    }

    @Test
    void aSecondClaimOfAnAddressIsListedAndDoesNotTakeIt() {
        var fixture = ProjectionFixture.of(ExampleProjections.userDirectory())
                .given("u1", new UserCreated("ann@example.com"), new ProfileSet("Ann Smith"))
                .given("u2", new UserCreated("ann@example.com"), new ProfileSet("Mallory X"));
        UserEntry entry = fixture.state("ann@example.com").orElseThrow();
        assertThat(entry.userId()).isEqualTo("u1");
        assertThat(entry.name()).isEqualTo("Ann Smith");
        assertThat(entry.alsoClaimedBy()).containsExactly("u2");
    }

    @Test
    void summariesComputeTheBalanceAndCountTheEvents() {
        ProjectionFixture.of(ExampleProjections.accountSummaries())
                .given("a1", new AccountOpened("ann"), new MoneyDeposited(100L, 100L), new MoneyWithdrawn(30L, 70L))
                .expectState("a1", new AccountSummary("ann", 70L, 3L, 3L));
    }

    @Test
    void balancesAreWrittenAsTheEventsSay() {
        String table = ExampleProjections.BALANCES_TABLE;
        Timestamp t0 = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));
        Timestamp t1 = Timestamp.from(Instant.parse("2026-01-01T00:00:01Z"));
        Timestamp t2 = Timestamp.from(Instant.parse("2026-01-01T00:00:02Z"));
        ProjectionFixture.of(ExampleProjections.accountBalances())
                .given("a1", new AccountOpened("ann"), new MoneyDeposited(100L, 100L), new MoneyWithdrawn(30L, 70L))
                .expectWrites(
                        SqlWrite.of("INSERT INTO " + table + " (account_id, owner, balance, version, updated_at) VALUES (?, ?, 0, ?, ?)",
                                "a1", "ann", 1L, t0),
                        SqlWrite.of("UPDATE " + table + " SET balance = balance + ?, version = ?, updated_at = ? WHERE account_id = ?",
                                100L, 2L, t1, "a1"),
                        SqlWrite.of("UPDATE " + table + " SET balance = balance - ?, version = ?, updated_at = ? WHERE account_id = ?",
                                30L, 3L, t2, "a1"));
        assertThat(ExampleProjections.all()).extracting(p -> p.name()).isEqualTo(List.of("user-directory", "account-summaries", "account-balances"));
    }
}
