package foldstream.worker.app;

import foldstream.worker.http.Access;
import foldstream.worker.http.HttpLimits;
import foldstream.worker.http.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the worker's HTTP API is served: its limits, TLS, who may do what, and whether it may listen
 * beyond 127.0.0.1 without credentials. Read from flags and {@code FOLDSTREAM_HTTP_*} variables
 * like every worker setting; files are read once, at start, and their contents (tokens, passwords)
 * are never logged nor shown by {@link #toString()}.
 *
 * <pre>{@code
 * HttpApiSettings http = HttpApiSettings.defaults()
 *         .withAccess(Access.parse(Files.readAllLines(Path.of("access.txt"))))
 *         .withTls(Optional.of(new TlsSettings(...)));
 * }</pre>
 *
 * @param forwardToken what this instance presents when it forwards a query to the owner of an aggregate
 * @param probesOpen whether {@code /health} and {@code /ready} answer without credentials (default true)
 * @param insecure whether the API may listen beyond 127.0.0.1 without credentials ({@code --http-insecure})
 */
public record HttpApiSettings(HttpLimits limits, Optional<TlsSettings> tls, Access access, Optional<String> forwardToken,
                              boolean probesOpen, boolean insecure) {

    public static HttpApiSettings defaults() {
        return new HttpApiSettings(HttpLimits.defaults(), Optional.empty(), Access.none(), Optional.empty(), true, false);
    }

    public HttpApiSettings withLimits(HttpLimits value) {
        return new HttpApiSettings(value, tls, access, forwardToken, probesOpen, insecure);
    }

    public HttpApiSettings withTls(Optional<TlsSettings> value) {
        return new HttpApiSettings(limits, value, access, forwardToken, probesOpen, insecure);
    }

    public HttpApiSettings withAccess(Access value) {
        return new HttpApiSettings(limits, tls, value, forwardToken, probesOpen, insecure);
    }

    public HttpApiSettings withForwardToken(Optional<String> value) {
        return new HttpApiSettings(limits, tls, access, value, probesOpen, insecure);
    }

    public HttpApiSettings withInsecure(boolean value) {
        return new HttpApiSettings(limits, tls, access, forwardToken, probesOpen, value);
    }

    /**
     * Reads the settings as flags and variables give them; absent ({@code null}) values take their
     * defaults. Errors name the setting and never repeat a secret.
     */
    public static HttpApiSettings parse(Function<WorkerSetting, String> text) {
        HttpLimits limits = new HttpLimits(
                (int) number(text, WorkerSetting.HTTP_MAX_BODY_BYTES, HttpLimits.DEFAULT_MAX_BODY_BYTES, 1, Integer.MAX_VALUE - 1),
                (int) number(text, WorkerSetting.HTTP_MAX_HEADER_BYTES, HttpLimits.DEFAULT_MAX_HEADER_BYTES, 1024, 1 << 20),
                millis(text, WorkerSetting.HTTP_IDLE_TIMEOUT_MS, HttpLimits.DEFAULT_IDLE_TIMEOUT),
                millis(text, WorkerSetting.HTTP_REQUEST_TIMEOUT_MS, HttpLimits.DEFAULT_REQUEST_TIMEOUT),
                (int) number(text, WorkerSetting.HTTP_MAX_THREADS, HttpLimits.DEFAULT_MAX_THREADS, HttpLimits.MIN_THREADS, 10_000),
                (int) number(text, WorkerSetting.HTTP_MAX_CONNECTIONS, HttpLimits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                millis(text, WorkerSetting.HTTP_MAX_WAIT_MS, HttpLimits.DEFAULT_MAX_WAIT),
                millis(text, WorkerSetting.HTTP_COMMAND_TIMEOUT_MS, HttpLimits.DEFAULT_COMMAND_TIMEOUT));
        return new HttpApiSettings(limits, tls(text), access(text),
                given(text, WorkerSetting.HTTP_FORWARD_TOKEN_FILE).map(file -> secret(WorkerSetting.HTTP_FORWARD_TOKEN_FILE, file)),
                bool(text, WorkerSetting.HTTP_OPEN_PROBES, true), bool(text, WorkerSetting.HTTP_INSECURE, false));
    }

    private static Optional<TlsSettings> tls(Function<WorkerSetting, String> text) {
        Optional<String> keyStore = given(text, WorkerSetting.HTTP_KEY_STORE);
        Optional<String> trustStore = given(text, WorkerSetting.HTTP_TRUST_STORE);
        TlsSettings.ClientAuth clientAuth = given(text, WorkerSetting.HTTP_CLIENT_AUTH).map(value -> {
            try {
                return TlsSettings.ClientAuth.parse(value);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(WorkerSetting.HTTP_CLIENT_AUTH, "'" + value + "' must be none, want or need");
            }
        }).orElse(TlsSettings.ClientAuth.NONE);
        if (keyStore.isEmpty()) {
            if (trustStore.isPresent() || clientAuth != TlsSettings.ClientAuth.NONE) {
                throw new InvalidSettingException(WorkerSetting.HTTP_KEY_STORE, "missing: client certificates need TLS, and TLS"
                        + " needs the server's PKCS12 key store");
            }
            return Optional.empty();
        }
        if (clientAuth != TlsSettings.ClientAuth.NONE && trustStore.isEmpty()) {
            throw new InvalidSettingException(WorkerSetting.HTTP_TRUST_STORE, "missing: --http-client-auth "
                    + clientAuth.name().toLowerCase(Locale.ROOT) + " needs the CAs that vouch for client certificates");
        }
        Path keyPath = path(WorkerSetting.HTTP_KEY_STORE, keyStore.get());
        String keyPassword = password(text, WorkerSetting.HTTP_KEY_STORE_PASSWORD, WorkerSetting.HTTP_KEY_STORE_PASSWORD_FILE);
        Optional<Path> trustPath = trustStore.map(value -> path(WorkerSetting.HTTP_TRUST_STORE, value));
        String trustPassword = trustPath.isEmpty() ? ""
                : password(text, WorkerSetting.HTTP_TRUST_STORE_PASSWORD, WorkerSetting.HTTP_TRUST_STORE_PASSWORD_FILE);
        try {
            TlsSettings.load(keyPath, keyPassword);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.HTTP_KEY_STORE, e.getMessage());
        }
        trustPath.ifPresent(trust -> {
            try {
                TlsSettings.load(trust, trustPassword);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(WorkerSetting.HTTP_TRUST_STORE, e.getMessage());
            }
        });
        return Optional.of(new TlsSettings(keyPath, keyPassword, trustPath, trustPassword, clientAuth));
    }

    /** From the variable, else from the file (its first line), else empty. */
    private static String password(Function<WorkerSetting, String> text, WorkerSetting variable, WorkerSetting file) {
        String value = text.apply(variable);
        if (value != null && !value.isEmpty()) {
            return value;
        }
        return given(text, file).map(name -> secret(file, name)).orElse("");
    }

    private static Access access(Function<WorkerSetting, String> text) {
        Optional<String> file = given(text, WorkerSetting.HTTP_ACCESS_FILE);
        if (file.isEmpty()) {
            return Access.none();
        }
        try {
            return Access.parse(Files.readAllLines(path(WorkerSetting.HTTP_ACCESS_FILE, file.get()), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidSettingException(WorkerSetting.HTTP_ACCESS_FILE, "cannot read " + file.get() + ": "
                    + e.getClass().getSimpleName());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(WorkerSetting.HTTP_ACCESS_FILE, file.get() + ", " + e.getMessage());
        }
    }

    /** The first line of a file holding a secret, stripped. */
    private static String secret(WorkerSetting setting, String file) {
        try {
            List<String> lines = Files.readAllLines(path(setting, file), StandardCharsets.UTF_8);
            String value = lines.isEmpty() ? "" : lines.get(0).strip();
            if (value.isEmpty()) {
                throw new InvalidSettingException(setting, file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new InvalidSettingException(setting, "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static Optional<String> given(Function<WorkerSetting, String> text, WorkerSetting setting) {
        String value = text.apply(setting);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static Path path(WorkerSetting setting, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(setting, "'" + text + "' is not a path");
        }
    }

    private static long number(Function<WorkerSetting, String> text, WorkerSetting setting, long absent, long min, long max) {
        Optional<String> value = given(text, setting);
        if (value.isEmpty()) {
            return absent;
        }
        try {
            long parsed = Long.parseLong(value.get());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidSettingException(setting, "'" + value.get() + "' must be a whole number from " + min + " to " + max);
    }

    private static Duration millis(Function<WorkerSetting, String> text, WorkerSetting setting, Duration absent) {
        return Duration.ofMillis(number(text, setting, absent.toMillis(), 1, 24L * 3600 * 1000));
    }

    private static boolean bool(Function<WorkerSetting, String> text, WorkerSetting setting, boolean absent) {
        Optional<String> value = given(text, setting);
        if (value.isEmpty()) {
            return absent;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(setting, "'" + value.get() + "' must be true or false");
        };
    }

    @Override
    public String toString() {
        return "HttpApiSettings[limits=" + limits + ", tls=" + tls.map(TlsSettings::toString).orElse("none") + ", credentials="
                + (access.configured() ? "configured" : "none") + ", forwardToken=" + (forwardToken.isPresent() ? "given" : "none")
                + ", probesOpen=" + probesOpen + ", insecure=" + insecure + "]";
    }
}
