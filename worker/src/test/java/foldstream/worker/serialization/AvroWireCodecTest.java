package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.Withdraw;
import foldstream.examples.users.RegisterUser;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroWireCodecTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry, true);

    @Test
    void writesMagicByteBigEndianIdAndAvroBody() {
        byte[] bytes = codec.encode("t-foldstream.examples.accounts.Deposit", new Deposit(300L));
        int id = registry.lookup("t-foldstream.examples.accounts.Deposit", Deposit.getClassSchema()).id();
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        // 300 as an Avro zig-zag varint: 600 = 0xD8 0x04
        assertThat(bytes).hasSize(7).endsWith((byte) 0xD8, (byte) 0x04);
        assertThat(codec.decode(bytes, Deposit.class)).isEqualTo(new Deposit(300L));
    }

    @Test
    void picksTheRecordTypeByTheWriterSchemaName() {
        Map<String, Class<? extends SpecificRecord>> types = Map.of(
                Deposit.getClassSchema().getFullName(), Deposit.class,
                Withdraw.getClassSchema().getFullName(), Withdraw.class);
        byte[] withdraw = codec.encode("t-w", new Withdraw(5L));
        byte[] user = codec.encode("t-u", new RegisterUser("a@b.c", "Abcdef"));

        assertThat(codec.decode(withdraw, types)).isEqualTo(new Decoded.Record(new Withdraw(5L), ByteBuffer.wrap(withdraw, 1, 4).getInt()));
        assertThat(codec.decode(user, types)).isInstanceOf(Decoded.UnknownType.class)
                .extracting(d -> ((Decoded.UnknownType) d).fullName()).isEqualTo("foldstream.examples.users.RegisterUser");
    }

    @Test
    void aValueReadAfterABrokenOneOnTheSameThreadReadsWholeAndAlone() {
        // Values are read with one decoder per thread: what a read leaves in it must not reach the next.
        Map<String, Class<? extends SpecificRecord>> types = Map.of(
                RegisterUser.getClassSchema().getFullName(), RegisterUser.class, Deposit.getClassSchema().getFullName(), Deposit.class);
        byte[] user = codec.encode("t-u", new RegisterUser("ada", "ada@example.com"));
        byte[] cut = java.util.Arrays.copyOf(user, user.length - 3);
        byte[] trailing = java.util.Arrays.copyOf(user, user.length + 1);
        byte[] deposit = codec.encode("t-d", new Deposit(42L));
        assertThat(codec.decode(cut, types)).isInstanceOf(Decoded.Unreadable.class);
        assertThat(((Decoded.Record) codec.decode(deposit, types)).record()).isEqualTo(new Deposit(42L));
        assertThat(codec.decode(trailing, types)).isInstanceOf(Decoded.Unreadable.class);
        assertThat(((Decoded.Record) codec.decode(user, types)).record()).isEqualTo(new RegisterUser("ada", "ada@example.com"));
        assertThat(codec.decode(deposit, Deposit.class)).isEqualTo(new Deposit(42L));
    }

    @Test
    void asksTheRegistryOncePerSchema() {
        int[] calls = {0};
        AvroWireCodec cached = new AvroWireCodec(new ForwardingRegistry(registry) {
            @Override
            public int register(String subject, Schema schema) {
                calls[0]++;
                return super.register(subject, schema);
            }
        }, true);
        for (int i = 0; i < 100; i++) {
            cached.encode("s", new Deposit((long) i));
        }
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void withoutAutoRegistrationTheLatestVersionMustBeTheWrittenSchema() {
        AvroWireCodec strict = new AvroWireCodec(registry, false);
        assertThatThrownBy(() -> strict.encode("strict-subject", new Deposit(1L)))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("strict-subject");

        registry.register("strict-subject", Withdraw.getClassSchema());
        registry.setCompatibility("strict-subject", CompatibilityLevel.NONE);
        assertThatThrownBy(() -> strict.encode("strict-subject", new Deposit(1L)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("strict-subject").hasMessageContaining("auto-registration is off");

        registry.register("strict-subject", Deposit.getClassSchema());
        assertThat(strict.decode(strict.encode("strict-subject", new Deposit(1L)), Deposit.class)).isEqualTo(new Deposit(1L));
    }

    @Test
    void aRegistryRefusalMakesTheReadWaitWhileSchemaNotFoundMakesTheValueUnreadable() {
        byte[] deposit = codec.encode("t-d", new Deposit(3L));
        Map<String, Class<? extends SpecificRecord>> types = Map.of(Deposit.getClassSchema().getFullName(), Deposit.class);
        int[] refusals = {2};
        AvroWireCodec reader = new AvroWireCodec(new ForwardingRegistry(registry) {
            @Override
            public Schema schemaById(int id) {
                if (refusals[0]-- > 0) {
                    throw new SchemaRegistryException(429, null, "HTTP 429 Too Many Requests");
                }
                return super.schemaById(id);
            }
        }, true);

        assertThat(reader.decode(deposit, types)).isInstanceOf(Decoded.Record.class);
        assertThat(reader.registryHealth().status()).isInstanceOf(DependencyStatus.Available.class);
        assertThat(reader.decode(new byte[] {0, 0x7f, 0, 0, 1, 2}, types)).isInstanceOfSatisfying(Decoded.Unreadable.class,
                unreadable -> assertThat(unreadable.reason()).contains("40403"));
    }

    @Test
    void registeringWaitsOutAFailureButNotAnIncompatibleSchema() {
        int[] refusals = {1};
        AvroWireCodec writer = new AvroWireCodec(new ForwardingRegistry(registry) {
            @Override
            public int register(String subject, Schema schema) {
                if (refusals[0]-- > 0) {
                    throw new SchemaRegistryException(401, subject, "HTTP 401 (check basic.auth.user.info)");
                }
                return super.register(subject, schema);
            }
        }, true);

        assertThat(writer.decode(writer.encode("w-d", new Deposit(4L)), Deposit.class)).isEqualTo(new Deposit(4L));

        registry.register("w-incompatible", Withdraw.getClassSchema());
        registry.setCompatibility("w-incompatible", CompatibilityLevel.FULL);
        assertThatThrownBy(() -> writer.encode("w-incompatible", new RegisterUser("a@b.c", "Abcdef")))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA));
    }

    /** Delegates every call; tests override what they observe. */
    static class ForwardingRegistry implements SchemaRegistryClient {
        private final SchemaRegistryClient delegate;

        ForwardingRegistry(SchemaRegistryClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public int register(String subject, Schema schema) {
            return delegate.register(subject, schema);
        }

        @Override
        public RegisteredSchema lookup(String subject, Schema schema) {
            return delegate.lookup(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            return delegate.schemaById(id);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            return delegate.latest(subject);
        }

        @Override
        public CompatibilityCheck testCompatibility(String subject, Schema schema) {
            return delegate.testCompatibility(subject, schema);
        }

        @Override
        public CompatibilityLevel compatibility(String subject) {
            return delegate.compatibility(subject);
        }

        @Override
        public void setCompatibility(String subject, CompatibilityLevel level) {
            delegate.setCompatibility(subject, level);
        }
    }
}
