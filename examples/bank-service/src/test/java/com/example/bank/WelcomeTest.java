package com.example.bank;

import com.example.bank.accounts.OpenBankAccount;
import com.example.bank.customers.CustomerRegistered;
import com.example.bank.welcome.WelcomeState;
import foldstream.protocol.Outcome;
import foldstream.worker.process.SendCommand;
import foldstream.worker.testing.ProcessFixture;
import org.junit.jupiter.api.Test;

class WelcomeTest {

    @Test
    void aNewCustomerGetsAMainAccount() {
        ProcessFixture.of(Welcome.type())
                .whenEvent("bank_customers", "cust-1", new CustomerRegistered("Ann", "ann@example.com"))
                .expectCommands(SendCommand.to("bank_accounts", "cust-1-main", new OpenBankAccount("cust-1")))
                .expectState(new WelcomeState("cust-1", false))
                .expectRunning()
                .whenResult(OpenBankAccount.class, Outcome.ACCEPTED)
                .expectState(new WelcomeState("cust-1", true))
                .expectFinished();
    }

    @Test
    void anAccountThatExistsAlreadyCountsAsOpened() {
        ProcessFixture.of(Welcome.type())
                .givenEvent("bank_customers", "cust-2", new CustomerRegistered("Bob", "bob@example.com"))
                .whenResult(OpenBankAccount.class, Outcome.ALREADY_EXISTS)
                .expectFinished();
    }
}
