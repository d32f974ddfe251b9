package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.ops.registry.RegistryServerSettings;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code foldstream registry}: flags over variables, bad values named, and the users-file line. */
class RegistryCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine cli = FoldstreamCli.commandLine(env, RegistryWiring.current());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void flagsWinOverVariablesAndSecretsComeFromFiles(@TempDir Path dir) throws Exception {
        Path users = Files.writeString(dir.resolve("users.txt"), "x\n");
        Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");
        RegistryCommand command = new RegistryCommand(Map.of("FOLDSTREAM_REGISTRY_PORT", "9999", "FOLDSTREAM_REGISTRY_THREADS", "4",
                "FOLDSTREAM_REGISTRY_USERS_FILE", users.toString(), "FOLDSTREAM_REGISTRY_TLS_KEYSTORE", "/etc/registry.p12",
                "FOLDSTREAM_REGISTRY_TLS_KEYSTORE_PASSWORD_FILE", password.toString()));
        new CommandLine(command).parseArgs("--port", "8082", "--property", "security.protocol=SASL_SSL");

        RegistryServerSettings settings = command.settings();

        assertThat(settings.port()).isEqualTo(8082);
        assertThat(settings.threads()).isEqualTo(4);
        assertThat(settings.usersFile()).isEqualTo(users);
        assertThat(settings.keyStore()).isEqualTo(new RegistryServerSettings.KeyStoreFile(Path.of("/etc/registry.p12"), "s3cret", "PKCS12"));
        assertThat(settings.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void aBadValueExitsWith2NamingItsFlag() {
        assertThat(run(Map.of(), "registry", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads").contains("from 1 to 1024");
        assertThat(run(Map.of("FOLDSTREAM_REGISTRY_MAX_BODY_BYTES", "lots"), "registry")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-body-bytes");
        assertThat(run(Map.of(), "registry", "--users-file", "/no/such/users.txt")).isEqualTo(2);
        assertThat(err.toString()).contains("--users-file").contains("FOLDSTREAM_REGISTRY_USERS_FILE");
        assertThat(run(Map.of(), "registry", "--tls-client-truststore", "/etc/clients.p12")).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-keystore");
    }

    @Test
    void hashPasswordPrintsAUsersFileLineWithoutThePassword() {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("correct horse\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(run(Map.of(), "registry", "hash-password", "ci", "write")).isEqualTo(0);
        } finally {
            System.setIn(stdin);
        }
        assertThat(out.toString().strip()).startsWith("ci:write:pbkdf2-sha256$210000$").doesNotContain("correct horse");
    }
}
