package foldstream.worker.examples;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.MoneyWithdrawn;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.accounts.Withdraw;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.Violation;
import org.apache.avro.specific.SpecificRecord;

/** gen_aggregate's bank account ({@code ex_accounts}): open, deposit, withdraw; no overdraft. */
public final class Accounts implements Aggregate<AccountState> {

    public static AggregateType<AccountState> type() {
        return AggregateType.builder("ex_accounts", AccountState.class, new Accounts())
                .command(OpenAccount.class, Creation.CREATES)
                .command(Deposit.class)
                .command(Withdraw.class)
                .events(AccountOpened.class, MoneyDeposited.class, MoneyWithdrawn.class)
                .build();
    }

    @Override
    public AccountState initialState() {
        return new AccountState(null, 0L);
    }

    @Override
    public Decision decide(AccountState state, SpecificRecord command) {
        if (command instanceof OpenAccount open) {
            if (open.getOwner().isBlank()) {
                return Decision.reject("INVALID_OWNER", "an account needs an owner", new Violation("owner", "must not be blank"));
            }
            return Decision.emit(new AccountOpened(open.getOwner()));
        }
        if (command instanceof Deposit deposit) {
            if (deposit.getAmount() <= 0) {
                return notPositive(deposit.getAmount());
            }
            return Decision.emit(new MoneyDeposited(deposit.getAmount(), Math.addExact(state.getBalance(), deposit.getAmount())));
        }
        Withdraw withdraw = (Withdraw) command;
        if (withdraw.getAmount() <= 0) {
            return notPositive(withdraw.getAmount());
        }
        if (withdraw.getAmount() > state.getBalance()) {
            return Decision.reject("INSUFFICIENT_FUNDS", "the balance is " + state.getBalance(),
                    new Violation("amount", "must not exceed the balance of " + state.getBalance()));
        }
        return Decision.emit(new MoneyWithdrawn(withdraw.getAmount(), state.getBalance() - withdraw.getAmount()));
    }

    private static Decision notPositive(long amount) {
        return Decision.reject("INVALID_AMOUNT", "the amount must be positive", new Violation("amount", "must be positive, was " + amount));
    }

    @Override
    public AccountState evolve(AccountState state, SpecificRecord event) {
        if (event instanceof AccountOpened opened) {
            return new AccountState(opened.getOwner(), 0L);
        }
        if (event instanceof MoneyDeposited deposited) {
            return new AccountState(state.getOwner(), deposited.getBalance());
        }
        return new AccountState(state.getOwner(), ((MoneyWithdrawn) event).getBalance());
    }
}
