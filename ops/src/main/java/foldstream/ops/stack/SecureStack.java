package foldstream.ops.stack;

import foldstream.ops.registry.RegistryRole;
import foldstream.ops.registry.RegistryServerSettings;
import foldstream.ops.registry.RegistryUsers;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/**
 * What {@code foldstream stack --secure} adds to the local stack, so users can try Foldstream the way
 * a secured cluster runs it: a self-signed certificate, a broker on SASL_SSL (SCRAM-SHA-512) with
 * ACLs, SCRAM users {@value #WORKER} (the documented worker ACLs for application id
 * {@value #APPLICATION_ID} and the example types) and {@value #REGISTRY} (the schemas topic), and a
 * registry on HTTPS with users {@code admin} (admin), {@value #WORKER} (write) and {@code reader}
 * (read). Random passwords are made on first use and kept in {@code <data>/secure/secrets.properties}
 * (readable by the owner only), so a restarted stack keeps them.
 *
 * <pre>{@code
 * SecureStack secure = SecureStack.prepare(dataDir);
 * KafkaBroker.Settings broker = KafkaBroker.Settings.local(dataDir).withSecurity(secure.brokerSecurity());
 * }</pre>
 */
public final class SecureStack {

    public static final String WORKER = "worker";
    public static final String REGISTRY = "registry";
    public static final String APPLICATION_ID = "foldstream";

    private final Path dir;
    private final TlsMaterial tls;
    private final Properties secrets;

    private SecureStack(Path dir, TlsMaterial tls, Properties secrets) {
        this.dir = dir;
        this.tls = tls;
        this.secrets = secrets;
    }

    /** Makes (or reads back) the certificate, the passwords and the registry's users file under {@code dataDir/secure}. */
    public static SecureStack prepare(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("secure");
        Files.createDirectories(dir);
        Path file = dir.resolve("secrets.properties");
        Properties secrets = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                secrets.load(in);
            }
        }
        boolean changed = false;
        for (String name : List.of("tls", "kafka.admin", "kafka." + WORKER, "kafka." + REGISTRY, "registry.admin",
                "registry." + WORKER, "registry.reader")) {
            if (secrets.getProperty(name) == null) {
                secrets.setProperty(name, randomPassword());
                changed = true;
            }
        }
        if (changed) {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                secrets.store(out, "Passwords of the secure local stack");
            }
            ownerOnly(file);
        }
        SecureStack stack = new SecureStack(dir, TlsMaterial.create(dir, "localhost", secrets.getProperty("tls")), secrets);
        stack.writeUsersFile();
        return stack;
    }

    public KafkaBroker.Security brokerSecurity() {
        return new KafkaBroker.Security(tls, secrets.getProperty("kafka.admin"));
    }

    /** Creates the SCRAM users and grants their ACLs; run once the broker serves. */
    public void grant(KafkaBroker broker) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            KafkaAcls.createScramUser(admin, WORKER, secrets.getProperty("kafka." + WORKER));
            KafkaAcls.createScramUser(admin, REGISTRY, secrets.getProperty("kafka." + REGISTRY));
            List<String> examples = List.of("ex_users", "ex_accounts", "ex_counters");
            KafkaAcls.grant(admin, KafkaAcls.worker("User:" + WORKER, APPLICATION_ID, examples));
            KafkaAcls.grant(admin, KafkaAcls.registry("User:" + REGISTRY, RegistryServerSettings.DEFAULT_TOPIC));
        }
        KafkaAcls.awaitLogin(broker.clientProperties(REGISTRY, secrets.getProperty("kafka." + REGISTRY)));
    }

    /** The registry on HTTPS with the users file, reaching Kafka as {@value #REGISTRY}. */
    public RegistryServerSettings registry(RegistryServerSettings settings, KafkaBroker broker) {
        Map<String, Object> kafka = new HashMap<>(broker.clientProperties(REGISTRY, secrets.getProperty("kafka." + REGISTRY)));
        kafka.remove("bootstrap.servers");
        return settings.withKafkaProperties(kafka).withUsersFile(dir.resolve("registry-users.txt"))
                .withTls(new RegistryServerSettings.KeyStoreFile(tls.keyStore(), tls.password(), "PKCS12"));
    }

    /** The {@code --property} flags a worker (and {@code send}, {@code tail}) of this stack needs, Kafka's and the registry's. */
    public List<String> workerProperties(KafkaBroker broker) {
        List<String> flags = new ArrayList<>();
        broker.clientProperties(WORKER, secrets.getProperty("kafka." + WORKER)).forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                flags.add(key + "=" + value);
            }
        });
        flags.add("basic.auth.credentials.source=USER_INFO");
        flags.add("basic.auth.user.info=" + WORKER + ":" + secrets.getProperty("registry." + WORKER));
        flags.add("schema.registry.ssl.truststore.location=" + tls.trustStore());
        flags.add("schema.registry.ssl.truststore.password=" + tls.password());
        flags.add("schema.registry.ssl.truststore.type=PKCS12");
        flags.sort(null);
        return flags;
    }

    /** Where the passwords are. */
    public Path secretsFile() {
        return dir.resolve("secrets.properties");
    }

    private void writeUsersFile() throws IOException {
        Path users = dir.resolve("registry-users.txt");
        if (Files.exists(users)) {
            return;
        }
        Files.writeString(users, String.join("\n",
                "# Users of the secure local stack's registry: name:role:PBKDF2 hash (passwords in secrets.properties)",
                RegistryUsers.line("admin", RegistryRole.ADMIN, secrets.getProperty("registry.admin").toCharArray()),
                RegistryUsers.line(WORKER, RegistryRole.WRITE, secrets.getProperty("registry." + WORKER).toCharArray()),
                RegistryUsers.line("reader", RegistryRole.READ, secrets.getProperty("registry.reader").toCharArray()), ""),
                StandardCharsets.UTF_8);
        ownerOnly(users);
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the directory's own permissions apply.
        }
    }
}
