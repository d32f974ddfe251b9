package com.example.bank;

import com.example.bank.customers.ChangeEmail;
import com.example.bank.customers.CustomerRegistered;
import com.example.bank.customers.CustomerState;
import com.example.bank.customers.EmailChanged;
import com.example.bank.customers.RegisterCustomer;
import foldstream.protocol.Outcome;
import foldstream.worker.testing.AggregateFixture;
import org.junit.jupiter.api.Test;

class CustomersTest {

    private final AggregateFixture<CustomerState> customers = AggregateFixture.of(Customers.type());

    @Test
    void aCustomerRegistersOnce() {
        customers.givenNothing()
                .when(new RegisterCustomer("Ann", "ann@example.com"))
                .expectEvents(new CustomerRegistered("Ann", "ann@example.com"))
                .expectState(new CustomerState("Ann", "ann@example.com"))
                .expectVersion(1);
        customers.given(new CustomerRegistered("Ann", "ann@example.com"))
                .when(new RegisterCustomer("Ann", "ann@example.com"))
                .expectOutcome(Outcome.ALREADY_EXISTS);
    }

    @Test
    void anEmailAddressIsCheckedAndChangedOnlyWhenItDiffers() {
        customers.givenNothing().when(new RegisterCustomer("Bob", "not-an-address"))
                .expectRejected("INVALID_EMAIL").expectViolations("email");
        customers.given(new CustomerRegistered("Bob", "bob@example.com"))
                .when(new ChangeEmail("bob@example.org"))
                .expectEvents(new EmailChanged("bob@example.org"))
                .expectVersion(2);
        customers.given(new CustomerRegistered("Bob", "bob@example.com"))
                .when(new ChangeEmail("bob@example.com"))
                .expectNoChange();
    }

    @Test
    void anUnknownCustomerCannotChangeAnything() {
        customers.givenNothing().when(new ChangeEmail("who@example.com")).expectOutcome(Outcome.NOT_FOUND);
    }
}
