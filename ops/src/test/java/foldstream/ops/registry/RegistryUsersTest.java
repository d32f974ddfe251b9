package foldstream.ops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users file: its format, its errors (never echoing a hash), and basic authentication against it. */
class RegistryUsersTest {

    @TempDir
    Path dir;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aUsersFileAuthenticatesItsUsersWithTheirRolesAndRefusesTheRest() throws Exception {
        Path file = dir.resolve("users.txt");
        String line = RegistryUsers.line("ci", RegistryRole.WRITE, "pa:ss".toCharArray());
        Files.writeString(file, "# comment\n\n" + line + "\n" + RegistryUsers.line("ro", RegistryRole.READ, "x".toCharArray()) + "\n");
        assertThat(line).startsWith("ci:write:pbkdf2-sha256$210000$").doesNotContain("pa:ss");

        RegistryUsers users = RegistryUsers.load(file);

        assertThat(users.authenticate(basic("ci", "pa:ss"))).isEqualTo(new RegistryUsers.Authenticated("ci", RegistryRole.WRITE));
        assertThat(users.authenticate(basic("ci", "pa:ss"))).as("remembered").isEqualTo(new RegistryUsers.Authenticated("ci", RegistryRole.WRITE));
        assertThat(users.authenticate(basic("ro", "x"))).isEqualTo(new RegistryUsers.Authenticated("ro", RegistryRole.READ));
        for (String refused : List.of(basic("ci", "pa"), basic("nobody", "pa:ss"), "Bearer pa:ss", "Basic ###", "")) {
            assertThat(users.authenticate(refused)).as(refused).isInstanceOf(RegistryUsers.Refused.class);
        }
        assertThat(users.authenticate(null)).isInstanceOf(RegistryUsers.Refused.class);
    }

    @Test
    void aBadLineIsNamedByFileAndNumberWithoutShowingItsHash() throws Exception {
        Path file = dir.resolve("users.txt");
        Files.writeString(file, RegistryUsers.line("ci", RegistryRole.WRITE, "p".toCharArray()) + "\nops:root:pbkdf2-sha256$1$AAAA$BBBB\n");
        assertThatThrownBy(() -> RegistryUsers.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2").hasMessageContaining("unknown role 'root'").hasMessageNotContaining("BBBB");

        Files.writeString(file, "ops:admin:plaintext-password\n");
        assertThatThrownBy(() -> RegistryUsers.load(file)).hasMessageContaining("line 1").hasMessageNotContaining("plaintext-password");

        Files.writeString(file, "# nobody\n");
        assertThatThrownBy(() -> RegistryUsers.load(file)).hasMessageContaining("names no user");
    }

    @Test
    void rolesIncludeTheOnesBelowAndRequestsNeedTheirs() {
        assertThat(RegistryRole.ADMIN.allows(RegistryRole.WRITE)).isTrue();
        assertThat(RegistryRole.WRITE.allows(RegistryRole.ADMIN)).isFalse();
        assertThat(RegistryHttpHandler.roleFor("GET", List.of("subjects"))).isEqualTo(RegistryRole.READ);
        assertThat(RegistryHttpHandler.roleFor("POST", List.of("subjects", "s"))).as("look-up").isEqualTo(RegistryRole.READ);
        assertThat(RegistryHttpHandler.roleFor("POST", List.of("compatibility", "subjects", "s", "versions"))).isEqualTo(RegistryRole.READ);
        assertThat(RegistryHttpHandler.roleFor("POST", List.of("subjects", "s", "versions"))).isEqualTo(RegistryRole.WRITE);
        assertThat(RegistryHttpHandler.roleFor("PUT", List.of("config"))).isEqualTo(RegistryRole.ADMIN);
        assertThat(RegistryHttpHandler.roleFor("PUT", List.of("mode", "s"))).isEqualTo(RegistryRole.ADMIN);
        assertThat(RegistryHttpHandler.roleFor("DELETE", List.of("subjects", "s"))).isEqualTo(RegistryRole.ADMIN);
    }

    @Test
    void aReadOnlyOverrideBeatsEverySubjectsOwnMode() {
        SchemaStore store = new SchemaStore();
        store.apply(new LogEntry.ModeChange(null, RegistryMode.READONLY));
        store.apply(new LogEntry.ModeChange("open", RegistryMode.READWRITE));
        assertThat(store.mode("open")).isEqualTo(RegistryMode.READWRITE);
        assertThat(store.mode("other")).isEqualTo(RegistryMode.READONLY);

        store.apply(new LogEntry.ModeChange(null, RegistryMode.READONLY_OVERRIDE));
        assertThat(store.mode("open")).isEqualTo(RegistryMode.READONLY_OVERRIDE);
    }
}
