package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.protocol.CommandResult;
import foldstream.protocol.FieldViolation;
import foldstream.protocol.Outcome;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire decoder over generated and mutated values: it never throws, never reads past a declared
 * length, and reads back every value it wrote. {@code CommandResult} has strings, a union, an enum,
 * an array of records and a logical type: every shape the bounded check walks.
 */
class AvroWireCodecProperties {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry, true);
    private final Map<String, Class<? extends SpecificRecord>> types =
            Map.of(CommandResult.getClassSchema().getFullName(), CommandResult.class);
    private final AvroBounds bounds = new AvroBounds(1_000, 16);

    @Provide
    Arbitrary<CommandResult> results() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<List<FieldViolation>> violations = Combinators.combine(text, text).as(FieldViolation::new).list().ofMaxSize(20);
        return Combinators.combine(text, text, text.injectNull(0.3), Arbitraries.of(Outcome.class),
                        Arbitraries.longs(), Arbitraries.integers(), text.injectNull(0.5), violations)
                .as((id, type, aggregate, outcome, version, count, message, found) -> new CommandResult(id, type, aggregate,
                        outcome, version, count, message, message, found, Instant.ofEpochMilli(Math.abs(version % 4_000_000_000_000L))));
    }

    private byte[] encode(CommandResult result) {
        return codec.encode("props-value", result);
    }

    @Property(tries = 300)
    void everyValueWrittenReadsBackWithinBounds(@ForAll("results") CommandResult result) {
        byte[] bytes = encode(result);
        Decoded decoded = codec.decode(bytes, types, bounds);
        assertThat(decoded).isInstanceOf(Decoded.Record.class);
        assertThat(((Decoded.Record) decoded).record()).isEqualTo(result);
    }

    @Property(tries = 500)
    void aTruncatedValueIsUnreadableNeverAnException(@ForAll("results") CommandResult result, @ForAll @IntRange(min = 1, max = 400) int cut) {
        byte[] bytes = encode(result);
        byte[] truncated = Arrays.copyOf(bytes, Math.max(0, bytes.length - cut));
        assertThat(codec.decode(truncated, types, bounds)).isInstanceOf(Decoded.Unreadable.class);
    }

    @Property(tries = 500)
    void aValueWithFlippedBitsNeverThrows(@ForAll("results") CommandResult result, @ForAll List<@IntRange(min = 0, max = 100_000) Integer> flips) {
        byte[] bytes = encode(result);
        for (int flip : flips) {
            int bit = flip % ((bytes.length - 5) * 8);
            bytes[5 + bit / 8] ^= (byte) (1 << (bit % 8));
        }
        Decoded decoded = codec.decode(bytes, types, bounds);
        assertThat(decoded).isNotNull();
    }

    @Property(tries = 500)
    void randomBodiesBehindAValidHeaderNeverThrow(@ForAll("results") CommandResult seed, @ForAll byte[] body) {
        byte[] header = Arrays.copyOf(encode(seed), 5);
        byte[] value = ByteBuffer.allocate(5 + body.length).put(header).put(body).array();
        assertThat(codec.decode(value, types, bounds)).isNotNull();
    }

    @Property(tries = 300)
    void aHugeDeclaredLengthIsUnreadableBeforeAnythingIsAllocated(@ForAll("results") CommandResult seed,
                                                                  @ForAll @IntRange(min = 1_000_000, max = Integer.MAX_VALUE) int declared) {
        byte[] header = Arrays.copyOf(encode(seed), 5);
        List<Byte> value = new ArrayList<>();
        for (byte b : header) {
            value.add(b);
        }
        long zigzag = (long) declared << 1;
        while ((zigzag & ~0x7FL) != 0) {
            value.add((byte) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        value.add((byte) zigzag);
        byte[] bytes = new byte[value.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = value.get(i);
        }
        Decoded decoded = codec.decode(bytes, types, bounds);
        assertThat(decoded).isInstanceOf(Decoded.Unreadable.class);
        assertThat(((Decoded.Unreadable) decoded).reason()).contains("declares " + declared + " bytes where 0 remain");
    }

    @Property(tries = 200)
    void moreCollectionItemsThanTheBoundAreUnreadable(@ForAll @IntRange(min = 1_001, max = 5_000) int items) {
        List<FieldViolation> many = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            many.add(new FieldViolation("", ""));
        }
        CommandResult result = new CommandResult("c", "t", null, Outcome.REJECTED, 1L, 0, null, null, many, Instant.EPOCH);
        Decoded decoded = codec.decode(encode(result), types, bounds);
        assertThat(decoded).isInstanceOf(Decoded.Unreadable.class);
        assertThat(((Decoded.Unreadable) decoded).reason()).contains("more than 1000 array or map items");
    }
}
