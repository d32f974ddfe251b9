package foldstream.worker.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS for the HTTP API from PKCS12 key stores: the server's key and certificate, and optionally a
 * trust store of the CAs whose client certificates it accepts (mTLS) and whose servers it trusts
 * when it forwards a query to another instance. Forwarding presents this same key store as its
 * client certificate. {@link #toString()} never shows a password.
 *
 * <pre>{@code
 * TlsSettings tls = new TlsSettings(Path.of("worker.p12"), password, Optional.of(Path.of("ca.p12")), caPassword, ClientAuth.NEED);
 * }</pre>
 */
public record TlsSettings(Path keyStore, String keyStorePassword, Optional<Path> trustStore, String trustStorePassword,
                          ClientAuth clientAuth) {

    /** Whether the server asks for client certificates. */
    public enum ClientAuth {
        /** Never asks. */
        NONE,
        /** Asks; a client without one is judged by its token. */
        WANT,
        /** Refuses the TLS handshake without a certificate the trust store vouches for. */
        NEED;

        public static ClientAuth parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** Loads a PKCS12 store; the message names the file, never the password. */
    public static KeyStore load(Path path, String password) {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the PKCS12 key store " + path + " (a wrong password, or not PKCS12): "
                    + e.getClass().getSimpleName());
        }
    }

    /** The server side, for Jetty. */
    public SslContextFactory.Server serverFactory() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(load(keyStore, keyStorePassword));
        factory.setKeyStorePassword(keyStorePassword);
        trustStore.ifPresent(path -> factory.setTrustStore(load(path, trustStorePassword)));
        factory.setNeedClientAuth(clientAuth == ClientAuth.NEED);
        factory.setWantClientAuth(clientAuth == ClientAuth.WANT);
        return factory;
    }

    /** The client side of forwarding: presents this instance's certificate, trusts the trust store (else the JDK's CAs). */
    public SSLContext clientContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keyStore, keyStorePassword), keyStorePassword.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore.map(path -> load(path, trustStorePassword)).orElse(null));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot make a TLS client from " + keyStore + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "TlsSettings[keyStore=" + keyStore + ", trustStore=" + trustStore.map(Path::toString).orElse("none")
                + ", clientAuth=" + clientAuth + "]";
    }
}
