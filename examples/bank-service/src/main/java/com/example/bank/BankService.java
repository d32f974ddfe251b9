package com.example.bank;

import foldstream.worker.FoldstreamApplication;

/**
 * The bank service: a Foldstream worker running this service's aggregate types, its read model and
 * its process manager. Every flag of {@code ops/foldstream worker} works:
 *
 * <pre>{@code
 * java -jar target/bank-service.jar --bootstrap-servers 127.0.0.1:9092 --schema-registry-url http://127.0.0.1:8081
 * }</pre>
 */
public final class BankService {

    private BankService() {
    }

    public static void main(String[] args) {
        FoldstreamApplication.builder()
                .aggregate(Customers.type())
                .aggregate(BankAccounts.type())
                .projection(CustomerBalances.projection())
                .process(Welcome.type())
                .run(args);
    }
}
