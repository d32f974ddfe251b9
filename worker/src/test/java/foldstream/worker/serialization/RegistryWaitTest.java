package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class RegistryWaitTest {

    private static final Schema SCHEMA = Schema.create(Schema.Type.STRING);

    private final RegistryHealth health = new RegistryHealth(Clock.systemUTC());

    @Test
    void refusalsThatSayNothingAboutTheDataAreRetriedUntilTheRegistryAnswers() {
        RegistryWait wait = new RegistryWait(Duration.ofSeconds(30), health);
        AtomicInteger calls = new AtomicInteger();
        Schema answer = wait.call("schema id 7", () -> switch (calls.incrementAndGet()) {
            case 1 -> throw new SchemaRegistryException(401, null, "HTTP 401 (check basic.auth.user.info)");
            case 2 -> throw new SchemaRegistryException(42901, null, "Too many requests");
            case 3 -> throw new SchemaRegistryException(SchemaRegistryException.STORE_ERROR, null, "not JSON: <html>");
            default -> SCHEMA;
        });

        assertThat(answer).isEqualTo(SCHEMA);
        assertThat(calls).hasValue(4);
        assertThat(health.status()).isInstanceOf(DependencyStatus.Available.class);
    }

    @Test
    void theHealthProbeReportsIntoTheSameStatusOnceEachAndASubjectNotFoundIsAnAnswer() {
        RegistryWait wait = new RegistryWait(Duration.ofSeconds(30), health);
        AtomicInteger calls = new AtomicInteger();

        wait.probe(() -> {
            calls.incrementAndGet();
            throw new SchemaRegistryUnavailableException(null, "connection refused", null);
        });
        assertThat(calls).as("a probe is not repeated").hasValue(1);
        assertThat(health.status()).isInstanceOfSatisfying(DependencyStatus.Waiting.class,
                waiting -> assertThat(waiting.reason()).contains("connection refused"));

        wait.probe(() -> {
            throw new SchemaRegistryException(401, null, "HTTP 401");
        });
        assertThat(health.status()).as("a refusal is no answer about the subject")
                .isInstanceOfSatisfying(DependencyStatus.Waiting.class, waiting -> assertThat(waiting.failures()).isEqualTo(2));

        wait.probe(() -> {
            throw new SchemaRegistryException(40401, "ex_users-results-value", "Subject not found");
        });
        assertThat(health.status()).isInstanceOf(DependencyStatus.Available.class);
    }

    @Test
    void schemaNotFoundIsAnAnswerAndEndsTheWaitAtOnce() {
        RegistryWait wait = new RegistryWait(Duration.ofSeconds(30), health);
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> wait.call("schema id 7", () -> {
            calls.incrementAndGet();
            throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, null, "Schema 7 not found");
        })).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(calls).hasValue(1);
        assertThat(health.status()).isInstanceOf(DependencyStatus.Available.class);
    }

    @Test
    void afterTheBudgetTheCallFailsAsUnavailableAndTheHealthSaysSinceWhenItWaits() {
        RegistryWait wait = new RegistryWait(Duration.ofMillis(700), health);

        assertThatThrownBy(() -> wait.call("schema id 7", () -> {
            throw new SchemaRegistryException(403, null, "HTTP 403");
        })).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("waiting on the schema registry since")
                .hasMessageContaining("schema id 7")
                .hasMessageContaining("HTTP 403");
        assertThat(health.status()).isInstanceOfSatisfying(DependencyStatus.Waiting.class, waiting -> {
            assertThat(waiting.reason()).contains("HTTP 403");
            assertThat(waiting.failures()).isGreaterThanOrEqualTo(2);
        });
        assertThat(RegistryWait.causedBy(new RuntimeException(new SchemaRegistryUnavailableException(null, "away", null)))).isTrue();
    }

    @Test
    void theBudgetIsHalfTheTransactionTimeoutAndHalfTheMaxPollIntervalAtMost() {
        assertThat(RegistryWait.budgetWithin(Map.of())).isEqualTo(Duration.ofSeconds(5));
        assertThat(RegistryWait.budgetWithin(Map.of("producer.transaction.timeout.ms", "60000"))).isEqualTo(Duration.ofSeconds(30));
        assertThat(RegistryWait.budgetWithin(Map.of("transaction.timeout.ms", 600_000, "max.poll.interval.ms", "120000")))
                .isEqualTo(Duration.ofMinutes(1));
    }
}
