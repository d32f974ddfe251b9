package foldstream.worker.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.accounts.AccountOpened;
import foldstream.examples.accounts.MoneyDeposited;
import foldstream.examples.users.UserCreated;
import foldstream.worker.testing.ProjectionFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Projections are refused when badly declared, and the fixture reports precisely what differs. */
class ProjectionApiTest {

    record Count(long events, long lastVersion) {
    }

    private final EmbeddedProjection<Count> counts = EmbeddedProjection.builder("counts", Count.class, new Count(0, 0))
            .follows("ex_accounts")
            .on(AccountOpened.class, (count, opened, meta) -> new Count(count.events() + 1, meta.version()))
            .on(MoneyDeposited.class, (count, deposited, meta) -> new Count(count.events() + 1, meta.version()))
            .build();

    @Test
    void foldsPerAggregateIdWithTheMetadataOfEachEvent() {
        ProjectionFixture.of(counts)
                .given("a1", new AccountOpened("ann"), new MoneyDeposited(5L, 5L))
                .given("a2", new AccountOpened("bob"))
                .expectState("a1", new Count(2, 2))
                .expectState("a2", new Count(1, 1));
    }

    @Test
    void theFixtureNamesWhatDiffers() {
        var fixture = ProjectionFixture.of(counts).given("a1", new AccountOpened("ann"));
        assertThatThrownBy(() -> fixture.expectState("a1", new Count(2, 2)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("state under 'a1'").hasMessageContaining("Count[events=1");
        assertThatThrownBy(() -> fixture.expectState("a9", new Count(1, 1)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no event reached it");
        assertThatThrownBy(() -> fixture.given("ex_users", "u1", new UserCreated("x@y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow ex_users");
    }

    @Test
    void theUpcasterSeamRunsBeforeTheHandlers() {
        EventUpcaster doubling = (event, meta) -> event instanceof MoneyDeposited deposited
                ? List.of(deposited, new MoneyDeposited(deposited.getAmount(), deposited.getBalance())) : List.of(event);
        ProjectionFixture.of(counts).withUpcaster(doubling)
                .given("a1", new AccountOpened("ann"), new MoneyDeposited(5L, 5L))
                .expectState("a1", new Count(3, 2));
    }

    @Test
    void badDeclarationsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> EmbeddedProjection.builder("bad name", Count.class, null).follows("ex_accounts")
                .on(AccountOpened.class, (c, e, m) -> c).build())
                .hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> EmbeddedProjection.builder("p", Count.class, null).on(AccountOpened.class, (c, e, m) -> c).build())
                .hasMessageContaining("follows no aggregate type");
        assertThatThrownBy(() -> EmbeddedProjection.builder("p", Count.class, null).follows("ex_accounts").build())
                .hasMessageContaining("has no handler");
        assertThatThrownBy(() -> EmbeddedProjection.builder("p", Count.class, null).follows("ex_accounts")
                .on(AccountOpened.class, (c, e, m) -> c).keyedBy(MoneyDeposited.class, (e, m) -> "k").build())
                .hasMessageContaining("declares a key for");
        assertThatThrownBy(() -> JdbcProjection.builder("p").follows("ex_accounts").version(0)
                .on(AccountOpened.class, (e, m) -> List.of()).build())
                .hasMessageContaining("version must be 1 or more");
    }

    @Test
    void errorPoliciesAreDataWithDoublingBackoff() {
        assertThat(ErrorPolicy.stop().retries()).isZero();
        ErrorPolicy retry = ErrorPolicy.retry(3, Duration.ofMillis(100));
        assertThat(retry.retries()).isEqualTo(3);
        assertThat(retry.backoffBefore(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(retry.backoffBefore(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(ErrorPolicy.retryThenPark(1, Duration.ofSeconds(30)).backoffBefore(10)).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> ErrorPolicy.retry(-1, Duration.ZERO)).hasMessageContaining("retries must be 0 or more");
    }
}
