package foldstream.worker.examples;

import foldstream.worker.aggregate.AggregateType;
import java.util.List;

/** The example aggregate types the demo and the tests run. */
public final class ExampleTypes {

    private ExampleTypes() {
    }

    public static List<AggregateType<?>> all() {
        return List.of(Users.type(), Accounts.type(), Counters.type(), Transfers.type());
    }
}
