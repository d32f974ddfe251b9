package foldstream.worker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.Withdraw;
import foldstream.protocol.Outcome;
import foldstream.worker.examples.Accounts;
import org.junit.jupiter.api.Test;

/** The fixture fails loudly and precisely when the aggregate does not do what the test expects. */
class AggregateFixtureTest {

    private final AggregateFixture<?> accounts = AggregateFixture.of(Accounts.type());

    @Test
    void reportsTheActualOutcomeWhenItDiffers() {
        assertThatThrownBy(() -> accounts.given(new AccountOpened("ann")).when(new Withdraw(5L))
                .expectEvents(new MoneyDeposited(5L, 5L)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected outcome ACCEPTED but was REJECTED")
                .hasMessageContaining("INSUFFICIENT_FUNDS");
    }

    @Test
    void reportsDifferentEventsStateAndVersion() {
        var then = accounts.given(new AccountOpened("ann")).when(new Deposit(5L));
        assertThatThrownBy(() -> then.expectEvents(new MoneyDeposited(5L, 6L)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected events");
        assertThatThrownBy(() -> then.expectVersion(7)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected version 7 but was 2");
        assertThatThrownBy(() -> then.expectViolations("amount")).isInstanceOf(AssertionError.class);
        assertThat(then.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(then.events()).containsExactly(new MoneyDeposited(5L, 5L));
    }

    @Test
    void refusesGivenEventsOfAnotherType() {
        assertThatThrownBy(() -> accounts.given(new Deposit(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an event type of ex_accounts");
    }
}
