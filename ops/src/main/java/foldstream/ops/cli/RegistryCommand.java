package foldstream.ops.cli;

import foldstream.ops.registry.RegistryRole;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.RegistryUsers;
import foldstream.ops.registry.SchemaRegistryServer;
import foldstream.worker.app.ShutdownSignal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream registry}: Foldstream's schema registry server on its own, against any Kafka
 * cluster, until Ctrl-C or SIGTERM; {@code foldstream registry hash-password NAME ROLE} prints a
 * users-file line for a password read from standard input.
 *
 * <pre>{@code
 * echo -n 's3cret' | foldstream registry hash-password ci write >> /etc/foldstream/registry-users.txt
 * foldstream registry --bootstrap-servers kafka:9093 --host 0.0.0.0 --users-file /etc/foldstream/registry-users.txt \
 *     --tls-keystore /etc/foldstream/registry.p12 --property security.protocol=SASL_SSL ...
 * }</pre>
 */
@Command(name = "registry", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = RegistryCommand.HashPassword.class,
        description = {"Runs the schema registry server (Confluent's REST API, schemas in a Kafka topic) until Ctrl-C or SIGTERM.",
            "Each option can also be set by its environment variable; the option wins."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped cleanly", "1:failed (Kafka unreachable, port taken, ...)", "2:bad settings (the message names the setting)"})
final class RegistryCommand implements Callable<Integer> {

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers holding the schemas topic (default: 127.0.0.1:9092). Env: FOLDSTREAM_BOOTSTRAP_SERVERS")
    String bootstrapServers;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address to listen on (default: 127.0.0.1). Env: FOLDSTREAM_REGISTRY_HOST")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: 8081). Env: FOLDSTREAM_REGISTRY_PORT")
    String port;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The schemas topic (default: _schemas). Env: FOLDSTREAM_REGISTRY_TOPIC")
    String topic;

    @Option(names = "--users-file", paramLabel = "FILE",
            description = "Users, roles and password hashes (name:role:hash per line); without it there is no authentication."
                    + " Env: FOLDSTREAM_REGISTRY_USERS_FILE")
    String usersFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS12 key store with the server's certificate and key: serve HTTPS. Env: FOLDSTREAM_REGISTRY_TLS_KEYSTORE")
    String keyStore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "File whose first line is the key store's password. Env: FOLDSTREAM_REGISTRY_TLS_KEYSTORE_PASSWORD_FILE"
                    + " (or the password itself in FOLDSTREAM_REGISTRY_TLS_KEYSTORE_PASSWORD)")
    String keyStorePasswordFile;

    @Option(names = "--tls-keystore-type", paramLabel = "TYPE",
            description = "PKCS12 or JKS (default: PKCS12). Env: FOLDSTREAM_REGISTRY_TLS_KEYSTORE_TYPE")
    String keyStoreType;

    @Option(names = "--tls-client-truststore", paramLabel = "FILE",
            description = "PKCS12 trust store of the client certificates (or CAs) accepted: every client must present one (mTLS)."
                    + " Env: FOLDSTREAM_REGISTRY_TLS_CLIENT_TRUSTSTORE")
    String clientTrustStore;

    @Option(names = "--tls-client-truststore-password-file", paramLabel = "FILE",
            description = "File whose first line is that trust store's password. Env: FOLDSTREAM_REGISTRY_TLS_CLIENT_TRUSTSTORE_PASSWORD_FILE"
                    + " (or the password itself in FOLDSTREAM_REGISTRY_TLS_CLIENT_TRUSTSTORE_PASSWORD)")
    String clientTrustStorePasswordFile;

    @Option(names = "--threads", paramLabel = "N",
            description = "Requests served at once (default: " + RegistryServerSettings.DEFAULT_THREADS + "). Env: FOLDSTREAM_REGISTRY_THREADS")
    String threads;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES",
            description = "Largest request body; larger ones get 413 unread (default: " + RegistryServerSettings.DEFAULT_MAX_BODY_BYTES
                    + "). Env: FOLDSTREAM_REGISTRY_MAX_BODY_BYTES")
    String maxBodyBytes;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for the schemas topic, e.g. security.protocol=SASL_SSL (repeatable)")
    List<String> properties = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    RegistryCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The settings from the flags, falling back to the environment variables; a bad value names its flag. */
    RegistryServerSettings settings() {
        RegistryServerSettings settings = RegistryServerSettings.of(pick(bootstrapServers, "FOLDSTREAM_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
                .withHost(pick(host, "FOLDSTREAM_REGISTRY_HOST", RegistryServerSettings.DEFAULT_HOST))
                .withTopic(pick(topic, "FOLDSTREAM_REGISTRY_TOPIC", RegistryServerSettings.DEFAULT_TOPIC));
        int portNumber = number("--port", pick(port, "FOLDSTREAM_REGISTRY_PORT", "8081"), 0, 65_535);
        int threadCount = number("--threads", pick(threads, "FOLDSTREAM_REGISTRY_THREADS", "" + RegistryServerSettings.DEFAULT_THREADS), 1, 1024);
        int maxBody = number("--max-body-bytes", pick(maxBodyBytes, "FOLDSTREAM_REGISTRY_MAX_BODY_BYTES",
                "" + RegistryServerSettings.DEFAULT_MAX_BODY_BYTES), 1024, Integer.MAX_VALUE - 1);
        settings = settings.withPort(portNumber).withLimits(threadCount, maxBody).withKafkaProperties(ClientOptions.keyValues(properties));
        String users = pick(usersFile, "FOLDSTREAM_REGISTRY_USERS_FILE", null);
        if (users != null) {
            if (!Files.isReadable(Path.of(users))) {
                throw new CliFailure(ExitStatus.USAGE, "--users-file (FOLDSTREAM_REGISTRY_USERS_FILE): cannot read " + users);
            }
            settings = settings.withUsersFile(Path.of(users));
        }
        String store = pick(keyStore, "FOLDSTREAM_REGISTRY_TLS_KEYSTORE", null);
        if (store != null) {
            settings = settings.withTls(new RegistryServerSettings.KeyStoreFile(Path.of(store),
                    password("--tls-keystore-password-file", keyStorePasswordFile, "FOLDSTREAM_REGISTRY_TLS_KEYSTORE_PASSWORD"),
                    pick(keyStoreType, "FOLDSTREAM_REGISTRY_TLS_KEYSTORE_TYPE", "PKCS12")));
        }
        String clients = pick(clientTrustStore, "FOLDSTREAM_REGISTRY_TLS_CLIENT_TRUSTSTORE", null);
        if (clients != null) {
            if (store == null) {
                throw new CliFailure(ExitStatus.USAGE, "--tls-client-truststore needs --tls-keystore: client certificates need TLS");
            }
            settings = settings.withClientCertificates(new RegistryServerSettings.KeyStoreFile(Path.of(clients),
                    password("--tls-client-truststore-password-file", clientTrustStorePasswordFile,
                            "FOLDSTREAM_REGISTRY_TLS_CLIENT_TRUSTSTORE_PASSWORD"), "PKCS12"));
        }
        return settings;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RegistryServerSettings settings;
        try {
            settings = settings();
        } catch (CliFailure e) {
            err.println("foldstream registry: " + e.getMessage());
            err.flush();
            return e.status();
        }
        int status = ExitStatus.FAILED;
        try (ShutdownSignal signal = ShutdownSignal.install(STOP_GRACE)) {
            try (SchemaRegistryServer server = new SchemaRegistryServer(settings).start()) {
                out.println("Schema registry on " + server.url() + " (schemas in topic " + settings.topic() + "). Ctrl-C or SIGTERM stops it.");
                out.flush();
                signal.awaitRequest();
                status = ExitStatus.OK;
            } catch (IllegalArgumentException e) {
                err.println("foldstream registry: " + e.getMessage());
                status = ExitStatus.USAGE;
            } catch (Exception e) {
                err.println("foldstream registry: " + e.getMessage());
            } finally {
                err.flush();
                signal.finished(status);
            }
        }
        return status;
    }

    /** A password from the flag's file, the variable {@code <variable>_FILE}'s file, or the variable itself. */
    private String password(String flag, String fileFlag, String variable) {
        String file = pick(fileFlag, variable + "_FILE", null);
        if (file != null) {
            try {
                List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
                return lines.isEmpty() ? "" : lines.get(0).strip();
            } catch (IOException e) {
                throw new CliFailure(ExitStatus.USAGE, flag + ": cannot read " + file + ": " + e.getMessage());
            }
        }
        return env.get(variable);
    }

    private String pick(String flag, String variable, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        String value = env.get(variable);
        return value != null && !value.isBlank() ? value.trim() : fallback;
    }

    private static int number(String flag, String text, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CliFailure(ExitStatus.USAGE, flag + ": must be a whole number from " + min + " to " + max + ", was '" + text + "'");
    }

    /** {@code foldstream registry hash-password NAME ROLE}: the users-file line for the password on standard input. */
    @Command(name = "hash-password", mixinStandardHelpOptions = true,
            description = "Reads a password from standard input (one line) and prints the users-file line name:role:hash"
                    + " (PBKDF2-HMAC-SHA256, random salt).")
    static final class HashPassword implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "The user's name")
        String name;

        @Parameters(index = "1", paramLabel = "ROLE", description = "read, write or admin")
        String role;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null || password.isEmpty()) {
                spec.commandLine().getErr().println("foldstream registry hash-password: no password on standard input");
                return ExitStatus.USAGE;
            }
            try {
                spec.commandLine().getOut().println(RegistryUsers.line(name, RegistryRole.parse(role), password.toCharArray()));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("foldstream registry hash-password: " + e.getMessage());
                return ExitStatus.USAGE;
            }
            return ExitStatus.OK;
        }
    }
}
