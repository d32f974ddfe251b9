package com.example.bank;

import com.example.bank.accounts.BankAccountOpened;
import com.example.bank.accounts.MoneyDeposited;
import com.example.bank.accounts.MoneyWithdrawn;
import foldstream.worker.testing.ProjectionFixture;
import org.junit.jupiter.api.Test;

class CustomerBalancesTest {

    @Test
    void aCustomersMoneyAddsUpOverAllTheirAccounts() {
        ProjectionFixture.of(CustomerBalances.projection())
                .given("acc-1", new BankAccountOpened("ann"), new MoneyDeposited(500L, 500L), new MoneyWithdrawn(200L, 300L))
                .given("acc-2", new BankAccountOpened("ann"), new MoneyDeposited(1_000L, 1_000L))
                .given("acc-3", new BankAccountOpened("bob"))
                .expectState("ann", new CustomerBalances.Balance("ann", 1_300L, 2))
                .expectState("bob", new CustomerBalances.Balance("bob", 0L, 1))
                .expectNoState("acc-1");
    }
}
