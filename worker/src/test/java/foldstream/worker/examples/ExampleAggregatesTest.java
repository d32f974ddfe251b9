package foldstream.worker.examples;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.counters.CounterState;
import foldstream.examples.counters.Increment;
import foldstream.examples.counters.Incremented;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.protocol.Outcome;
import foldstream.worker.testing.AggregateFixture;
import org.junit.jupiter.api.Test;

/** The example aggregates, tested the way users test theirs: with the fixture, no Kafka. */
class ExampleAggregatesTest {

    @Test
    void registeringAUserEmitsBothEvents() {
        AggregateFixture.of(Users.type())
                .givenNothing()
                .when(new RegisterUser("ann@example.com", "Annabel"))
                .expectEvents(new UserCreated("ann@example.com"), new ProfileSet("Annabel"))
                .expectState(new UserState("ann@example.com", "Annabel"))
                .expectVersion(2);
    }

    @Test
    void profileUpdatesAreCheckedAndIdempotent() {
        var users = AggregateFixture.of(Users.type());
        users.given(new UserCreated("ann@example.com"), new ProfileSet("Annabel"))
                .when(new UpdateProfile("Annabel"))
                .expectNoChange()
                .expectVersion(2);
        users.given(new UserCreated("ann@example.com"), new ProfileSet("Annabel"))
                .when(new UpdateProfile("Ann"))
                .expectRejected("INVALID_NAME")
                .expectViolations("name");
        users.given(new UserCreated("ann@example.com"), new ProfileSet("Annabel"))
                .when(new UpdateProfile("Annabella"), 2)
                .expectEvents(new ProfileSet("Annabella"));
        users.givenNothing().when(new UpdateProfile("Nobody here")).expectOutcome(Outcome.NOT_FOUND);
        users.given(new UserCreated("a@b.c")).when(new RegisterUser("a@b.c", "Someone")).expectOutcome(Outcome.ALREADY_EXISTS);
        users.given(new UserCreated("a@b.c")).when(new UpdateProfile("Someone"), 5).expectOutcome(Outcome.WRONG_EXPECTED_VERSION);
        users.givenNothing().when(new Increment(1)).expectOutcome(Outcome.UNKNOWN_COMMAND);
    }

    @Test
    void accountsRefuseOverdraftsAndNonPositiveAmounts() {
        var accounts = AggregateFixture.of(Accounts.type());
        accounts.givenNothing().when(new OpenAccount("ann")).expectEvents(new AccountOpened("ann"));
        accounts.given(new AccountOpened("ann"), new MoneyDeposited(100L, 100L))
                .when(new Withdraw(30L))
                .expectEvents(new MoneyWithdrawn(30L, 70L))
                .expectState(new AccountState("ann", 70L))
                .expectVersion(3);
        accounts.given(new AccountOpened("ann"), new MoneyDeposited(100L, 100L))
                .when(new Withdraw(101L))
                .expectRejected("INSUFFICIENT_FUNDS")
                .expectViolations("amount");
        accounts.given(new AccountOpened("ann")).when(new Deposit(0L)).expectRejected("INVALID_AMOUNT");
        accounts.given(new AccountOpened("ann")).when(new Withdraw(-1L)).expectRejected("INVALID_AMOUNT");
        accounts.given(new AccountOpened("ann")).when(new Deposit(5L)).expectEvents(new MoneyDeposited(5L, 5L));
    }

    @Test
    void countersAreCreatedByTheirFirstIncrement() {
        var counters = AggregateFixture.of(Counters.type());
        counters.givenNothing().when(new Increment(2)).expectEvents(new Incremented(2, 2L)).expectVersion(1);
        counters.given(new Incremented(2, 2L)).when(new Increment(3))
                .expectEvents(new Incremented(3, 5L))
                .expectState(new CounterState(5L));
        counters.given(new Incremented(2, 2L)).when(new Increment(0)).expectNoChange();
    }
}
