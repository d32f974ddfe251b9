package foldstream.it;

import foldstream.ops.stack.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PKCS12 key stores for the HTTP API's TLS tests, made with {@link TlsMaterial} (the JDK's
 * {@code keytool}): a worker's key ({@code CN=worker}), a client's ({@code CN=reporting}), a
 * stranger's (trusted by nobody), and one trust store holding the worker's and the client's
 * certificates. Every store has the password {@link #PASSWORD}.
 *
 * <pre>{@code
 * TestKeyStores stores = TestKeyStores.create(dir);
 * SSLContext client = stores.clientContext(stores.client());
 * }</pre>
 */
record TestKeyStores(Path worker, Path client, Path stranger, Path trust) {

    static final String PASSWORD = "test-store-password";
    static final String WORKER_DN = "CN=worker";
    static final String CLIENT_DN = "CN=reporting";

    static TestKeyStores create(Path dir) {
        try {
            TlsMaterial worker = TlsMaterial.create(dir, "worker", PASSWORD);
            TlsMaterial client = TlsMaterial.create(dir, "reporting", PASSWORD);
            TlsMaterial stranger = TlsMaterial.create(dir, "stranger", PASSWORD);
            Path trust = dir.resolve("trust.p12");
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, PASSWORD.toCharArray());
            for (TlsMaterial known : new TlsMaterial[] {worker, client}) {
                KeyStore certificates = load(known.trustStore());
                String alias = certificates.aliases().nextElement();
                trusted.setCertificateEntry(alias, certificates.getCertificate(alias));
            }
            try (OutputStream out = Files.newOutputStream(trust)) {
                trusted.store(out, PASSWORD.toCharArray());
            }
            return new TestKeyStores(worker.keyStore(), client.keyStore(), stranger.keyStore(), trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
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
