package com.example.bank;

import com.example.bank.accounts.OpenBankAccount;
import com.example.bank.customers.CustomerRegistered;
import com.example.bank.welcome.WelcomeState;
import foldstream.worker.process.EventMeta;
import foldstream.worker.process.ProcessInput;
import foldstream.worker.process.ProcessManager;
import foldstream.worker.process.ProcessType;
import foldstream.worker.process.Reaction;
import foldstream.worker.process.Route;
import foldstream.worker.process.SendCommand;
import org.apache.avro.specific.SpecificRecord;

/**
 * The {@code welcome} process: every newly registered customer gets a main account,
 * {@code <customerId>-main}. One instance per customer; it finishes once the account's opening is
 * answered (an account that already exists counts as opened: a retry after a crash finds it there).
 */
public final class Welcome implements ProcessManager<WelcomeState> {

    public static ProcessType<WelcomeState> type() {
        return ProcessType.builder("welcome", WelcomeState.class, new Welcome())
                .follows("bank_customers", CustomerRegistered.class)
                .sends("bank_accounts", OpenBankAccount.class)
                .build();
    }

    /** The id of a customer's main account. */
    public static String mainAccount(String customerId) {
        return customerId + "-main";
    }

    @Override
    public WelcomeState initialState() {
        return new WelcomeState(null, false);
    }

    @Override
    public Route route(SpecificRecord event, EventMeta meta) {
        return event instanceof CustomerRegistered ? Route.start(meta.aggregateId()) : Route.ignore();
    }

    @Override
    public Reaction<WelcomeState> react(WelcomeState state, ProcessInput input) {
        if (input instanceof ProcessInput.Event event) {
            String customerId = event.meta().aggregateId();
            return Reaction.of(new WelcomeState(customerId, false))
                    .send(SendCommand.to("bank_accounts", mainAccount(customerId), new OpenBankAccount(customerId)));
        }
        if (input instanceof ProcessInput.Result result && result.answers(OpenBankAccount.class)) {
            return Reaction.of(new WelcomeState(state.getCustomerId(), true)).finish();
        }
        return Reaction.of(state);
    }
}
