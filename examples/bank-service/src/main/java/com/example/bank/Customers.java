package com.example.bank;

import com.example.bank.customers.ChangeEmail;
import com.example.bank.customers.CustomerRegistered;
import com.example.bank.customers.CustomerState;
import com.example.bank.customers.EmailChanged;
import com.example.bank.customers.RegisterCustomer;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.Violation;
import org.apache.avro.specific.SpecificRecord;

/** The bank's customers ({@code bank_customers}): register one, change an e-mail address. */
public final class Customers implements Aggregate<CustomerState> {

    public static AggregateType<CustomerState> type() {
        return AggregateType.builder("bank_customers", CustomerState.class, new Customers())
                .command(RegisterCustomer.class, Creation.CREATES)
                .command(ChangeEmail.class)
                .events(CustomerRegistered.class, EmailChanged.class)
                .build();
    }

    @Override
    public CustomerState initialState() {
        return new CustomerState(null, null);
    }

    @Override
    public Decision decide(CustomerState state, SpecificRecord command) {
        if (command instanceof RegisterCustomer register) {
            if (register.getName().isBlank()) {
                return Decision.reject("INVALID_CUSTOMER", "a customer needs a name", new Violation("name", "must not be blank"));
            }
            if (!looksLikeEmail(register.getEmail())) {
                return invalidEmail();
            }
            return Decision.emit(new CustomerRegistered(register.getName(), register.getEmail()));
        }
        ChangeEmail change = (ChangeEmail) command;
        if (!looksLikeEmail(change.getEmail())) {
            return invalidEmail();
        }
        if (change.getEmail().equals(state.getEmail())) {
            return Decision.noChange();
        }
        return Decision.emit(new EmailChanged(change.getEmail()));
    }

    @Override
    public CustomerState evolve(CustomerState state, SpecificRecord event) {
        if (event instanceof CustomerRegistered registered) {
            return new CustomerState(registered.getName(), registered.getEmail());
        }
        return new CustomerState(state.getName(), ((EmailChanged) event).getEmail());
    }

    private static boolean looksLikeEmail(String email) {
        int at = email.indexOf('@');
        return at > 0 && at < email.length() - 1;
    }

    private static Decision invalidEmail() {
        return Decision.reject("INVALID_EMAIL", "not an e-mail address", new Violation("email", "must look like name@host"));
    }
}
