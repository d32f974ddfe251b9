package foldstream.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PKCS12 key stores for TLS tests, made with the JDK's own {@code keytool}: a worker's key
 * (subject {@code CN=worker,O=Foldstream Test}, valid for 127.0.0.1 and localhost), a client's
 * ({@code CN=reporting,O=Foldstream Test}), a stranger's (trusted by nobody), and a trust store
 * holding the worker's and the client's certificates. Every store has the password {@link #PASSWORD}.
 *
 * <pre>{@code
 * TestKeyStores stores = TestKeyStores.create(dir);
 * SSLContext client = stores.clientContext(stores.client());
 * }</pre>
 */
record TestKeyStores(Path worker, Path client, Path stranger, Path trust) {

    static final String PASSWORD = "test-store-password";
    static final String WORKER_DN = "CN=worker,O=Foldstream Test";
    static final String CLIENT_DN = "CN=reporting,O=Foldstream Test";

    static TestKeyStores create(Path dir) {
        Path worker = dir.resolve("worker.p12");
        Path client = dir.resolve("client.p12");
        Path stranger = dir.resolve("stranger.p12");
        Path trust = dir.resolve("trust.p12");
        keyPair(worker, WORKER_DN, "SAN=ip:127.0.0.1,dns:localhost");
        keyPair(client, CLIENT_DN, null);
        keyPair(stranger, "CN=stranger,O=Elsewhere", null);
        for (Path store : List.of(worker, client)) {
            Path certificate = dir.resolve(store.getFileName() + ".crt");
            keytool("-exportcert", "-alias", "key", "-keystore", store.toString(), "-storepass", PASSWORD, "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", store.getFileName().toString(), "-file", certificate.toString(),
                    "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        }
        return new TestKeyStores(worker, client, stranger, trust);
    }

    private static void keyPair(Path store, String dn, String extension) {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dn, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (extension != null) {
            args.add("-ext");
            args.add(extension);
        }
        keytool(args.toArray(String[]::new));
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client that trusts the trust store and presents {@code keyStore} (or no certificate when null). */
    SSLContext clientContext(Path keyStore) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore == null ? null : load(keyStore), PASSWORD.toCharArray());
            TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusted.init(load(trust));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyStore == null ? null : keys.getKeyManagers(), trusted.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
