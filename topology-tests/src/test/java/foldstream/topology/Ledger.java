package foldstream.topology;

import foldstream.test.ledger.Credit;
import foldstream.test.ledger.Credited;
import foldstream.test.ledger.LedgerState;
import foldstream.test.ledger.Reversed;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * A test aggregate whose events changed over time, as a real domain's do:
 * <ul>
 *   <li>v1 wrote {@code Deposited{cents}}; v2 renamed it {@code Credited} and added {@code note} with a
 *       default (the alias and the default need no code);</li>
 *   <li>v1 also wrote {@code AmountPaidIn{euros: int}}, gone today: upcast to {@code Credited} in cents;</li>
 *   <li>v1 wrote {@code Corrected{from, to}}, gone today: upcast to two events, a reversal and a credit;</li>
 *   <li>for a while {@code Credited} itself carried {@code euros} instead of {@code cents}: that writer
 *       schema (same name, other meaning) is upcast too.</li>
 * </ul>
 */
public final class Ledger implements Aggregate<LedgerState> {

    public static final Schema AMOUNT_PAID_IN_V1 = parse("""
            {"type": "record", "name": "AmountPaidIn", "namespace": "foldstream.test.ledger",
             "fields": [{"name": "euros", "type": "int"}]}""");
    public static final Schema CORRECTED_V1 = parse("""
            {"type": "record", "name": "Corrected", "namespace": "foldstream.test.ledger",
             "fields": [{"name": "from", "type": "long"}, {"name": "to", "type": "long"}]}""");
    public static final Schema DEPOSITED_V1 = parse("""
            {"type": "record", "name": "Deposited", "namespace": "foldstream.test.ledger",
             "fields": [{"name": "cents", "type": "long"}]}""");
    public static final Schema CREDITED_IN_EUROS = parse("""
            {"type": "record", "name": "Credited", "namespace": "foldstream.test.ledger",
             "fields": [{"name": "euros", "type": "int"}]}""");

    public static AggregateType<LedgerState> type(String name) {
        return AggregateType.builder(name, LedgerState.class, new Ledger())
                .command(Credit.class, Creation.EITHER)
                .events(Credited.class, Reversed.class)
                .upcast("foldstream.test.ledger.AmountPaidIn", old -> List.of(euros(old)))
                .upcast("foldstream.test.ledger.Corrected", old -> List.of(
                        new Reversed((Long) old.get("from")), new Credited((Long) old.get("to"), "corrected")))
                .upcast("foldstream.test.ledger.Credited", writer -> writer.getField("euros") != null, old -> List.of(euros(old)))
                .build();
    }

    private static Credited euros(GenericRecord old) {
        return new Credited(100L * (Integer) old.get("euros"), "from euros");
    }

    @Override
    public LedgerState initialState() {
        return new LedgerState(0L, 0);
    }

    @Override
    public Decision decide(LedgerState state, SpecificRecord command) {
        long cents = ((Credit) command).getCents();
        if (cents == 0) {
            return Decision.noChange();
        }
        return Decision.emit(cents > 0 ? new Credited(cents, "") : new Reversed(-cents));
    }

    @Override
    public LedgerState evolve(LedgerState state, SpecificRecord event) {
        long delta = event instanceof Credited credited ? credited.getCents() : -((Reversed) event).getCents();
        return new LedgerState(state.getCents() + delta, state.getEntries() + 1);
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
