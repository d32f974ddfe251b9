package com.example.bank;

import com.example.bank.accounts.BankAccountOpened;
import com.example.bank.accounts.MoneyDeposited;
import com.example.bank.accounts.MoneyWithdrawn;
import foldstream.worker.projection.EmbeddedProjection;

/**
 * The read model "how much money has this customer, over all their accounts?", which no single
 * account can answer: {@code bank_accounts} events keyed by the account's customer, queryable at
 * {@code GET /projections/customer-balances/{customerId}}.
 */
public final class CustomerBalances {

    /** One customer's money, in cents, and how many accounts hold it. */
    public record Balance(String customerId, long cents, int accounts) {
    }

    private CustomerBalances() {
    }

    public static EmbeddedProjection<Balance> projection() {
        return EmbeddedProjection.builder("customer-balances", Balance.class, null)
                .follows("bank_accounts")
                // An account's later events go to the key its opening event chose: its customer.
                .keyedBy(BankAccountOpened.class, (opened, meta) -> opened.getCustomerId())
                .on(BankAccountOpened.class, (balance, opened, meta) -> balance == null
                        ? new Balance(opened.getCustomerId(), 0, 1)
                        : new Balance(balance.customerId(), balance.cents(), balance.accounts() + 1))
                .on(MoneyDeposited.class, (balance, deposited, meta) ->
                        new Balance(balance.customerId(), balance.cents() + deposited.getCents(), balance.accounts()))
                .on(MoneyWithdrawn.class, (balance, withdrawn, meta) ->
                        new Balance(balance.customerId(), balance.cents() - withdrawn.getCents(), balance.accounts()))
                .build();
    }
}
