package foldstream.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessTest {

    private static final String ADMIN = "an-admin-token-of-some-length";
    private static final String READER = "a-reader-token-of-some-length";

    private static final Access ACCESS = Access.parse(List.of(
            "# comment",
            "",
            "sha256:" + Access.sha256(ADMIN) + "   send=* read=* ops",
            "token:" + READER + " read=ex_users,ex_accounts",
            "dn:\"CN=reporting, O=Acme Corp\" read=*",
            "san:billing.internal send=ex_accounts"));

    private static Grant granted(Access.Authentication authentication) {
        assertThat(authentication).isInstanceOf(Access.Authentication.Granted.class);
        return ((Access.Authentication.Granted) authentication).grant();
    }

    @Test
    void tokensAreKnownByTheirHashOrAsWrittenWithTheirPermissions() {
        Grant admin = granted(ACCESS.authenticate("Bearer " + ADMIN, null));
        assertThat(admin.maySend("anything")).isTrue();
        assertThat(admin.ops()).isTrue();
        assertThat(admin.who()).isEqualTo("line 3 (sha256 ...)").doesNotContain(ADMIN);

        Grant reader = granted(ACCESS.authenticate("bearer " + READER, null));
        assertThat(reader.mayRead("ex_users")).isTrue();
        assertThat(reader.mayRead("ex_counters")).isFalse();
        assertThat(reader.maySend("ex_users")).isFalse();
        assertThat(reader.ops()).isFalse();

        assertThat(ACCESS.authenticate("Bearer not-known", null)).isInstanceOf(Access.Authentication.Refused.class);
        assertThat(ACCESS.authenticate("Basic " + ADMIN, null)).isInstanceOf(Access.Authentication.Refused.class);
        assertThat(ACCESS.authenticate(null, null)).isInstanceOf(Access.Authentication.Missing.class);
    }

    @Test
    void needsCheckTheTypeNamedByThePath() {
        Grant reader = granted(ACCESS.authenticate("Bearer " + READER, null));
        assertThat(Need.read("type").allows(reader, Map.of("type", "ex_users"))).isTrue();
        assertThat(Need.send("type").allows(reader, Map.of("type", "ex_users"))).isFalse();
        assertThat(Need.send("type").describe(Map.of("type", "ex_users"))).isEqualTo("send to ex_users");
        assertThat(Need.ops().allows(reader, Map.of())).isFalse();
        assertThat(Need.probe().isOpen(true)).isTrue();
        assertThat(Need.probe().isOpen(false)).isFalse();
    }

    @Test
    void withoutAFileEveryoneMayDoEverything() {
        Grant anyone = granted(Access.none().authenticate(null, null));
        assertThat(anyone.maySend("ex_users")).isTrue();
        assertThat(anyone.ops()).isTrue();
        assertThat(Access.none().configured()).isFalse();
        assertThat(ACCESS.configured()).isTrue();
    }

    @Test
    void mistakesNameTheLineAndNeverTheToken() {
        assertThatThrownBy(() -> Access.parse(List.of("token:short read=*"))).hasMessage("line 1: a token must be at least 16 characters long");
        assertThatThrownBy(() -> Access.parse(List.of("token:" + READER + " write=*"))).hasMessageContaining("line 1: unknown permission 'write=*'")
                .hasMessageNotContaining(READER);
        assertThatThrownBy(() -> Access.parse(List.of("token:" + READER))).hasMessageContaining("line 1: no permissions");
        assertThatThrownBy(() -> Access.parse(List.of("sha256:abc read=*"))).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> Access.parse(List.of("password:x read=*"))).hasMessageContaining("starts with sha256:, token:, dn: or san:");
        assertThatThrownBy(() -> Access.parse(List.of("dn:\"CN=x read=*"))).hasMessageContaining("a quote is not closed");
        assertThatThrownBy(() -> Access.parse(List.of("token:" + READER + " read=*", "sha256:" + Access.sha256(READER) + " ops")))
                .hasMessage("line 2: the same credential is given twice");
    }
}
