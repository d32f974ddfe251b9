package foldstream.ops.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's {@code keytool}: a
 * PKCS12 key store holding it with its private key (for a server: the broker's SSL listener, the
 * registry's HTTPS) and a PKCS12 trust store holding the certificate alone (for clients). For the
 * secure local stack and the tests; production uses certificates from its own CA.
 *
 * <pre>{@code
 * TlsMaterial tls = TlsMaterial.create(Path.of("/tmp/stack/tls"), "localhost", "changeit");
 * // tls.keyStore(): /tmp/stack/tls/localhost.keystore.p12, tls.trustStore(): /tmp/stack/tls/localhost.truststore.p12
 * }</pre>
 *
 * @param password the password of both stores and of the key
 */
public record TlsMaterial(Path keyStore, Path trustStore, String password) {

    private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

    /**
     * Makes the stores in {@code dir} unless they are there already.
     *
     * @param name the certificate's common name and the files' prefix
     */
    public static TlsMaterial create(Path dir, String name, String password) throws IOException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve(name + ".keystore.p12");
        Path trustStore = dir.resolve(name + ".truststore.p12");
        if (!Files.exists(keyStore) || !Files.exists(trustStore)) {
            Files.deleteIfExists(keyStore);
            Files.deleteIfExists(trustStore);
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
                    "-dname", "CN=" + name, "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            writeTrustStore(keyStore, name, trustStore, password.toCharArray());
        }
        return new TlsMaterial(keyStore, trustStore, password);
    }

    /** The trust store holds the certificate alone (the key store's public half). */
    private static void writeTrustStore(Path keyStore, String alias, Path trustStore, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keyStore); OutputStream out = Files.newOutputStream(trustStore)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, password);
            trust.setCertificateEntry(alias, keys.getCertificate(alias));
            trust.store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the trust store " + trustStore + ": " + e.getMessage(), e);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + arguments[0] + " did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + arguments[0] + " failed (status " + process.exitValue() + "): " + output);
        }
    }

    @Override
    public String toString() {
        return "TlsMaterial[" + keyStore + ", " + trustStore + "]";
    }
}
