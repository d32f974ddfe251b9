package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.AccountState;
import foldstream.examples.accounts.Deposit;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.accounts.OpenAccount;
import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.examples.Accounts;
import foldstream.worker.examples.Users;
import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.serialization.CompatibilityLevel;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.IncompatibleSchemaException;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryException;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The start-up gate against the real registry: what it registers, what it refuses, and why. */
@ExtendWith(KafkaStack.class)
class SchemaGateIT {

    private static SchemaRegistryClient registry;

    @BeforeAll
    static void connect(KafkaStack.Endpoints stack) {
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(stack.registryUrl()));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    private static AggregateType<UserState> users(String streamName) {
        return AggregateType.builder(streamName, UserState.class, new Users())
                .command(RegisterUser.class, Creation.CREATES)
                .command(UpdateProfile.class)
                .events(UserCreated.class, ProfileSet.class)
                .build();
    }

    private static AggregateType<AccountState> accounts(String streamName) {
        return AggregateType.builder(streamName, AccountState.class, new Accounts())
                .command(OpenAccount.class, Creation.CREATES)
                .command(Deposit.class)
                .events(AccountOpened.class, MoneyDeposited.class)
                .build();
    }

    @Test
    void registersEveryContractSchemaOnceAndAfterwardsFindsThemRegistered() {
        SchemaGate gate = new SchemaGate(registry);

        SchemaGate.Report first = gate.open(List.of(users("gate_users"), accounts("gate_accounts")));
        SchemaGate.Report second = gate.open(List.of(users("gate_users"), accounts("gate_accounts")));

        assertThat(first.registered()).extracting(SchemaGate.Entry::subject).containsExactly(
                "gate_users-commands-foldstream.examples.users.RegisterUser",
                "gate_users-commands-foldstream.examples.users.UpdateProfile",
                "gate_users-events-foldstream.examples.users.ProfileSet",
                "gate_users-events-foldstream.examples.users.UserCreated",
                "gate_users-results-value",
                "gate_users-state-value",
                "gate_users-control-value",
                "gate_users-control-results-value",
                "gate_accounts-commands-foldstream.examples.accounts.Deposit",
                "gate_accounts-commands-foldstream.examples.accounts.OpenAccount",
                "gate_accounts-events-foldstream.examples.accounts.AccountOpened",
                "gate_accounts-events-foldstream.examples.accounts.MoneyDeposited",
                "gate_accounts-results-value",
                "gate_accounts-state-value",
                "gate_accounts-control-value",
                "gate_accounts-control-results-value");
        assertThat(first.entries()).allSatisfy(entry -> assertThat(entry.version()).isEqualTo(1));
        assertThat(second.registered()).isEmpty();
        assertThat(second.entries()).isEqualTo(first.entries().stream()
                .map(e -> new SchemaGate.Entry(e.subject(), e.recordName(), e.id(), e.version(), false)).toList());
        assertThat(registry.lookup("gate_accounts-results-value", foldstream.protocol.CommandResult.getClassSchema()).id())
                .as("one id for one schema across subjects")
                .isEqualTo(registry.lookup("gate_users-results-value", foldstream.protocol.CommandResult.getClassSchema()).id());
    }

    @Test
    void manyTypesAreRegisteredSideBySideAndTheWritersReuseTheIdsTheGateLearned() {
        List<AggregateType<?>> types = new java.util.ArrayList<>();
        for (int t = 0; t < 20; t++) {
            types.add(accounts("gate_many" + t));
        }
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        SchemaRegistryClient counting = (SchemaRegistryClient) java.lang.reflect.Proxy.newProxyInstance(
                SchemaRegistryClient.class.getClassLoader(), new Class<?>[] {SchemaRegistryClient.class}, (proxy, method, args) -> {
                    asked.incrementAndGet();
                    try {
                        return method.invoke(registry, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        foldstream.worker.serialization.AvroWireCodec codec = new foldstream.worker.serialization.AvroWireCodec(counting, true);

        SchemaGate.Report report = new SchemaGate(counting, true, codec::remember).open(types);

        assertThat(report.registered()).hasSize(20 * 8);
        // In the subjects' order, whatever order the registry answered in.
        assertThat(report.registered().get(8).subject()).isEqualTo("gate_many1-commands-foldstream.examples.accounts.Deposit");
        for (SchemaGate.Entry entry : report.entries()) {
            assertThat(entry.id()).as(entry.subject()).isEqualTo(registry.latest(entry.subject()).id());
        }
        int afterGate = asked.get();
        byte[] encoded = codec.encode("gate_many7-events-foldstream.examples.accounts.MoneyDeposited",
                MoneyDeposited.newBuilder().setAmount(5).setBalance(5).build());
        assertThat(asked.get()).as("the writer asked the registry again").isEqualTo(afterGate);
        assertThat(java.nio.ByteBuffer.wrap(encoded, 1, 4).getInt())
                .isEqualTo(registry.latest("gate_many7-events-foldstream.examples.accounts.MoneyDeposited").id());
    }

    @Test
    void refusesUnderBackwardANewRequiredFieldOldDataLacksNamingSubjectVersionAndReason() {
        String subject = "gate_backward-events-foldstream.examples.users.UserCreated";
        registry.register(subject, record("UserCreated", "{\"name\": \"userId\", \"type\": \"string\"}"));

        assertThatThrownBy(() -> new SchemaGate(registry).open(List.of(users("gate_backward"))))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.refusals()).hasSize(1);
                    assertThat(e.refusals().get(0).subject()).isEqualTo(subject);
                    assertThat(e.refusals().get(0).latestVersion()).isEqualTo(1);
                    assertThat(e.refusals().get(0).level()).isEqualTo(CompatibilityLevel.BACKWARD);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                })
                .hasMessageContaining("subject '" + subject + "'")
                .hasMessageContaining("version 1")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .hasMessageContaining("email");
        assertThatThrownBy(() -> registry.latest("gate_backward-commands-foldstream.examples.users.RegisterUser"))
                .as("a refused gate registers nothing")
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
    }

    @Test
    void refusesUnderForwardAFieldRemovedThatOldReadersNeed() {
        String subject = "gate_forward-events-foldstream.examples.users.ProfileSet";
        registry.setCompatibility(subject, CompatibilityLevel.FORWARD);
        registry.register(subject, record("ProfileSet", NAME_AND_NICKNAME));

        assertThatThrownBy(() -> new SchemaGate(registry).open(List.of(users("gate_forward"))))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("subject '" + subject + "'")
                .hasMessageContaining("version 1")
                .hasMessageContaining("under FORWARD")
                .hasMessageContaining("nickname");
    }

    @Test
    void acceptsUnderBackwardAFieldRemovedAndRegistersTheNextVersion() {
        String subject = "gate_compatible-events-foldstream.examples.users.ProfileSet";
        registry.register(subject, record("ProfileSet", NAME_AND_NICKNAME));

        SchemaGate.Report report = new SchemaGate(registry).open(List.of(users("gate_compatible")));

        assertThat(report.registered()).filteredOn(e -> e.subject().equals(subject)).singleElement()
                .satisfies(e -> assertThat(e.version()).isEqualTo(2));
        assertThat(registry.latest(subject).schema()).isEqualTo(ProfileSet.getClassSchema());
    }

    @Test
    void refusesUnderFullTransitiveASchemaCompatibleWithTheLatestButNotAnOlderVersionBeforeRegisteringAnything() {
        String subject = "gate_transitive-events-foldstream.examples.users.ProfileSet";
        registry.setCompatibility(subject, CompatibilityLevel.NONE);
        // Version 1: old readers need the nickname; version 2 gave it a default.
        registry.register(subject, record("ProfileSet", NAME_AND_NICKNAME));
        registry.register(subject, record("ProfileSet",
                "{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"nickname\", \"type\": \"string\", \"default\": \"\"}"));
        registry.setCompatibility(subject, CompatibilityLevel.FULL_TRANSITIVE);

        assertThatThrownBy(() -> new SchemaGate(registry).open(List.of(users("gate_transitive"))))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.refusals()).singleElement().satisfies(refusal -> {
                        assertThat(refusal.subject()).isEqualTo(subject);
                        assertThat(refusal.level()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
                    });
                })
                .hasMessageContaining("nickname");
        assertThat(registry.latest(subject).version()).as("the subject gained no version").isEqualTo(2);
        for (String other : List.of("gate_transitive-commands-foldstream.examples.users.RegisterUser",
                "gate_transitive-commands-foldstream.examples.users.UpdateProfile",
                "gate_transitive-events-foldstream.examples.users.UserCreated", "gate_transitive-results-value",
                "gate_transitive-state-value")) {
            assertThatThrownBy(() -> registry.latest(other)).as("a refused gate registers nothing: " + other)
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        }
    }

    /** The fields of a ProfileSet that also had a required nickname. */
    private static final String NAME_AND_NICKNAME = "{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"nickname\", \"type\": \"string\"}";

    private static Schema record(String name, String fields) {
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"" + name
                + "\", \"namespace\": \"foldstream.examples.users\", \"fields\": [" + fields + "]}");
    }
}
