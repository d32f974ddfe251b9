package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.examples.ExampleTypes;
import foldstream.worker.http.TlsSettings;
import foldstream.worker.serialization.InMemorySchemaRegistry;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HttpApiSettingsTest {

    private static final String[] REQUIRED = {"--bootstrap-servers", "127.0.0.1:9092", "--schema-registry-url", "http://127.0.0.1:8081"};

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private static WorkerMain main(Map<String, String> env) {
        return new WorkerMain(env, url -> new InMemorySchemaRegistry(), ExampleTypes.all());
    }

    private int run(Map<String, String> env, String... args) {
        String[] all = new String[REQUIRED.length + args.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(args, 0, all, REQUIRED.length, args.length);
        return new CommandLine(main(env)).setErr(new PrintWriter(err, true)).execute(all);
    }

    private HttpApiSettings parse(Map<String, String> env, String... args) {
        WorkerMain main = main(env);
        new CommandLine(main).parseArgs(args);
        return main.httpSettings();
    }

    @Test
    void limitsComeFromFlagsAndVariablesWithDocumentedDefaults() {
        assertThat(parse(Map.of()).limits()).isEqualTo(new foldstream.worker.http.HttpLimits(1 << 20, 8192, Duration.ofSeconds(30),
                Duration.ofSeconds(30), 32, 1000, Duration.ofSeconds(60), Duration.ofSeconds(10)));

        HttpApiSettings set = parse(Map.of("FOLDSTREAM_HTTP_MAX_WAIT_MS", "5000", "FOLDSTREAM_HTTP_MAX_THREADS", "12"),
                "--http-max-threads", "16", "--http-max-body-bytes", "4096", "--http-max-connections", "50");
        assertThat(set.limits().maxWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.limits().maxThreads()).isEqualTo(16);
        assertThat(set.limits().maxBodyBytes()).isEqualTo(4096);
        assertThat(set.limits().maxConnections()).isEqualTo(50);
        assertThat(set.probesOpen()).isTrue();
        assertThat(set.insecure()).isFalse();
        assertThat(parse(Map.of(), "--http-insecure").insecure()).isTrue();
        assertThat(parse(Map.of("FOLDSTREAM_HTTP_OPEN_PROBES", "false")).probesOpen()).isFalse();
    }

    @Test
    void badValuesExitWith2NamingTheSetting() {
        assertThat(run(Map.of(), "--http-max-threads", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--http-max-threads (FOLDSTREAM_HTTP_MAX_THREADS): '2' must be a whole number from 8");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of("FOLDSTREAM_HTTP_CLIENT_AUTH", "sometimes"), "--http-key-store", "x.p12")).isEqualTo(2);
        assertThat(err.toString()).contains("--http-client-auth (FOLDSTREAM_HTTP_CLIENT_AUTH): 'sometimes' must be none, want or need");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--http-client-auth", "need")).isEqualTo(2);
        assertThat(err.toString()).contains("--http-key-store (FOLDSTREAM_HTTP_KEY_STORE): missing");
    }

    @Test
    void listeningBeyondLoopbackWithoutCredentialsNeedsHttpInsecure() throws Exception {
        assertThat(run(Map.of(), "--property", "application.server=worker-1.internal:8080")).isEqualTo(2);
        assertThat(err.toString()).contains("--http-insecure (FOLDSTREAM_HTTP_INSECURE): application.server=worker-1.internal:8080"
                + " makes the HTTP API listen on every address, and no credentials are configured");

        WorkerMain insecure = main(Map.of("FOLDSTREAM_HTTP_INSECURE", "true"));
        new CommandLine(insecure).parseArgs(concat("--property", "application.server=worker-1.internal:8080"));
        assertThat(HttpEndpoint.of(insecure.settings(), insecure.httpSettings()).bindHost()).isEqualTo("0.0.0.0");

        Path access = Files.writeString(dir.resolve("access"), "token:a-long-enough-token-1234 read=*\n");
        WorkerMain withCredentials = main(Map.of("FOLDSTREAM_HTTP_ACCESS_FILE", access.toString()));
        new CommandLine(withCredentials).parseArgs(concat("--property", "application.server=worker-1.internal:8080"));
        assertThat(HttpEndpoint.of(withCredentials.settings(), withCredentials.httpSettings()).bindHost()).isEqualTo("0.0.0.0");

        WorkerMain local = main(Map.of());
        new CommandLine(local).parseArgs(REQUIRED);
        assertThat(HttpEndpoint.of(local.settings(), local.httpSettings()).bindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void aBadAccessFileNamesTheLineNeverTheToken() throws Exception {
        Path access = Files.writeString(dir.resolve("access"), """
                # tokens
                token:a-long-enough-secret-5678 read=* send=ex_users
                token:another-long-secret-9012 write=*
                """);

        assertThat(run(Map.of(), "--http-access-file", access.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--http-access-file (FOLDSTREAM_HTTP_ACCESS_FILE): " + access + ", line 3: unknown"
                + " permission 'write=*'").doesNotContain("secret");
    }

    @Test
    void aKeyStoreWithTheWrongPasswordIsRefusedWithoutShowingThePassword() throws Exception {
        Path store = dir.resolve("server.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (OutputStream out = Files.newOutputStream(store)) {
            empty.store(out, "right-password".toCharArray());
        }
        Path passwordFile = Files.writeString(dir.resolve("password"), "wrong-password\n");

        assertThat(run(Map.of(), "--http-key-store", store.toString(), "--http-key-store-password-file", passwordFile.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--http-key-store (FOLDSTREAM_HTTP_KEY_STORE): cannot read the PKCS12 key store " + store)
                .doesNotContain("wrong-password");

        HttpApiSettings settings = parse(Map.of("FOLDSTREAM_HTTP_KEY_STORE_PASSWORD", "right-password"), "--http-key-store",
                store.toString());
        assertThat(settings.tls()).map(TlsSettings::keyStore).contains(store);
        assertThat(settings.toString()).doesNotContain("right-password");
    }

    private static String[] concat(String... args) {
        return List.of(REQUIRED, args).stream().flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
