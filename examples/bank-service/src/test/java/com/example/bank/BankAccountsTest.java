package com.example.bank;

import com.example.bank.accounts.BankAccountOpened;
import com.example.bank.accounts.BankAccountState;
import com.example.bank.accounts.DepositMoney;
import com.example.bank.accounts.MoneyDeposited;
import com.example.bank.accounts.MoneyWithdrawn;
import com.example.bank.accounts.OpenBankAccount;
import com.example.bank.accounts.WithdrawMoney;
import foldstream.protocol.Outcome;
import foldstream.worker.testing.AggregateFixture;
import org.junit.jupiter.api.Test;

class BankAccountsTest {

    private final AggregateFixture<BankAccountState> accounts = AggregateFixture.of(BankAccounts.type());

    @Test
    void moneyGoesInAndOut() {
        accounts.given(new BankAccountOpened("cust-1"), new MoneyDeposited(10_000L, 10_000L))
                .when(new WithdrawMoney(2_500L))
                .expectEvents(new MoneyWithdrawn(2_500L, 7_500L))
                .expectState(new BankAccountState("cust-1", 7_500L))
                .expectVersion(3);
    }

    @Test
    void noOverdraftAndNoNonsenseAmounts() {
        accounts.given(new BankAccountOpened("cust-1"), new MoneyDeposited(100L, 100L))
                .when(new WithdrawMoney(101L))
                .expectRejected("INSUFFICIENT_FUNDS").expectViolations("cents");
        accounts.given(new BankAccountOpened("cust-1"))
                .when(new DepositMoney(0L))
                .expectRejected("INVALID_AMOUNT");
    }

    @Test
    void anAccountIsOpenedBeforeAnythingElseAndWithTheExpectedVersion() {
        accounts.givenNothing().when(new DepositMoney(5L)).expectOutcome(Outcome.NOT_FOUND);
        accounts.givenNothing().when(new OpenBankAccount("cust-2"))
                .expectEvents(new BankAccountOpened("cust-2"));
        accounts.given(new BankAccountOpened("cust-2"))
                .when(new DepositMoney(5L), 0)
                .expectOutcome(Outcome.WRONG_EXPECTED_VERSION);
    }
}
