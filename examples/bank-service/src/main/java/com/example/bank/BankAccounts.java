package com.example.bank;

import com.example.bank.accounts.BankAccountOpened;
import com.example.bank.accounts.BankAccountState;
import com.example.bank.accounts.DepositMoney;
import com.example.bank.accounts.MoneyDeposited;
import com.example.bank.accounts.MoneyWithdrawn;
import com.example.bank.accounts.OpenBankAccount;
import com.example.bank.accounts.WithdrawMoney;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.Violation;
import org.apache.avro.specific.SpecificRecord;

/** The bank's accounts ({@code bank_accounts}): open one for a customer, deposit, withdraw; no overdraft. */
public final class BankAccounts implements Aggregate<BankAccountState> {

    public static AggregateType<BankAccountState> type() {
        return AggregateType.builder("bank_accounts", BankAccountState.class, new BankAccounts())
                .command(OpenBankAccount.class, Creation.CREATES)
                .command(DepositMoney.class)
                .command(WithdrawMoney.class)
                .events(BankAccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class)
                .build();
    }

    @Override
    public BankAccountState initialState() {
        return new BankAccountState(null, 0L);
    }

    @Override
    public Decision decide(BankAccountState state, SpecificRecord command) {
        if (command instanceof OpenBankAccount open) {
            if (open.getCustomerId().isBlank()) {
                return Decision.reject("INVALID_CUSTOMER", "an account belongs to a customer",
                        new Violation("customerId", "must not be blank"));
            }
            return Decision.emit(new BankAccountOpened(open.getCustomerId()));
        }
        if (command instanceof DepositMoney deposit) {
            if (deposit.getCents() <= 0) {
                return notPositive();
            }
            return Decision.emit(new MoneyDeposited(deposit.getCents(), Math.addExact(state.getBalance(), deposit.getCents())));
        }
        WithdrawMoney withdraw = (WithdrawMoney) command;
        if (withdraw.getCents() <= 0) {
            return notPositive();
        }
        if (withdraw.getCents() > state.getBalance()) {
            return Decision.reject("INSUFFICIENT_FUNDS", "the balance is " + state.getBalance(),
                    new Violation("cents", "must not exceed the balance of " + state.getBalance()));
        }
        return Decision.emit(new MoneyWithdrawn(withdraw.getCents(), state.getBalance() - withdraw.getCents()));
    }

    @Override
    public BankAccountState evolve(BankAccountState state, SpecificRecord event) {
        if (event instanceof BankAccountOpened opened) {
            return new BankAccountState(opened.getCustomerId(), 0L);
        }
        if (event instanceof MoneyDeposited deposited) {
            return new BankAccountState(state.getCustomerId(), deposited.getBalance());
        }
        return new BankAccountState(state.getCustomerId(), ((MoneyWithdrawn) event).getBalance());
    }

    private static Decision notPositive() {
        return Decision.reject("INVALID_AMOUNT", "the amount must be positive", new Violation("cents", "must be positive"));
    }
}
