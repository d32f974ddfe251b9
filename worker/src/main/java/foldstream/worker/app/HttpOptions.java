package foldstream.worker.app;

import picocli.CommandLine.Option;

/** The worker's {@code --http-*} flags (HttpApiSettings); each also reads its {@code FOLDSTREAM_HTTP_*} variable. */
final class HttpOptions {

    @Option(names = "--http-max-body-bytes", paramLabel = "N",
            description = "Larger request bodies are refused with 413 (default: 1048576). Env: FOLDSTREAM_HTTP_MAX_BODY_BYTES")
    String maxBodyBytes;

    @Option(names = "--http-max-header-bytes", paramLabel = "N",
            description = "Larger request headers are refused with 431 (default: 8192). Env: FOLDSTREAM_HTTP_MAX_HEADER_BYTES")
    String maxHeaderBytes;

    @Option(names = "--http-idle-timeout-ms", paramLabel = "MS",
            description = "Idle connections are closed after this (default: 30000). Env: FOLDSTREAM_HTTP_IDLE_TIMEOUT_MS")
    String idleTimeoutMs;

    @Option(names = "--http-request-timeout-ms", paramLabel = "MS",
            description = "How long a request may take besides its own wait (default: 30000). Env: FOLDSTREAM_HTTP_REQUEST_TIMEOUT_MS")
    String requestTimeoutMs;

    @Option(names = "--http-max-threads", paramLabel = "N",
            description = "The HTTP server's threads (default: 32, at least 8). Env: FOLDSTREAM_HTTP_MAX_THREADS")
    String maxThreads;

    @Option(names = "--http-max-connections", paramLabel = "N",
            description = "Open HTTP connections at most (default: 1000). Env: FOLDSTREAM_HTTP_MAX_CONNECTIONS")
    String maxConnections;

    @Option(names = "--http-max-wait-ms", paramLabel = "MS",
            description = "The cap on waitMs and timeoutMs (default: 60000). Env: FOLDSTREAM_HTTP_MAX_WAIT_MS")
    String maxWaitMs;

    @Option(names = "--http-command-timeout-ms", paramLabel = "MS",
            description = "How long a command waits for its result unless ?timeoutMs says (default: 10000)."
                    + " Env: FOLDSTREAM_HTTP_COMMAND_TIMEOUT_MS")
    String commandTimeoutMs;

    @Option(names = "--http-key-store", paramLabel = "FILE",
            description = "Serve HTTPS with this PKCS12 key store (default: plain HTTP). Env: FOLDSTREAM_HTTP_KEY_STORE")
    String keyStore;

    @Option(names = "--http-key-store-password-file", paramLabel = "FILE",
            description = "The key store's password, first line of FILE (or env FOLDSTREAM_HTTP_KEY_STORE_PASSWORD)."
                    + " Env: FOLDSTREAM_HTTP_KEY_STORE_PASSWORD_FILE")
    String keyStorePasswordFile;

    @Option(names = "--http-trust-store", paramLabel = "FILE",
            description = "PKCS12 store of the CAs trusted for client certificates and for forwarding. Env: FOLDSTREAM_HTTP_TRUST_STORE")
    String trustStore;

    @Option(names = "--http-trust-store-password-file", paramLabel = "FILE",
            description = "The trust store's password, first line of FILE (or env FOLDSTREAM_HTTP_TRUST_STORE_PASSWORD)."
                    + " Env: FOLDSTREAM_HTTP_TRUST_STORE_PASSWORD_FILE")
    String trustStorePasswordFile;

    @Option(names = "--http-client-auth", paramLabel = "none|want|need",
            description = "Ask for client certificates (default: none). Env: FOLDSTREAM_HTTP_CLIENT_AUTH")
    String clientAuth;

    @Option(names = "--http-access-file", paramLabel = "FILE",
            description = "Bearer tokens and certificate identities with their permissions (default: none: 127.0.0.1 only)."
                    + " Env: FOLDSTREAM_HTTP_ACCESS_FILE")
    String accessFile;

    @Option(names = "--http-forward-token-file", paramLabel = "FILE",
            description = "The token this instance presents when it forwards a query to another. Env: FOLDSTREAM_HTTP_FORWARD_TOKEN_FILE")
    String forwardTokenFile;

    @Option(names = "--http-open-probes", paramLabel = "true|false",
            description = "/health and /ready answer without credentials (default: true). Env: FOLDSTREAM_HTTP_OPEN_PROBES")
    String openProbes;

    @Option(names = "--http-insecure", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Allow listening beyond 127.0.0.1 without credentials (default: false). Env: FOLDSTREAM_HTTP_INSECURE")
    String insecure;

    /** The flag's text for an HTTP setting, or null (not given, or not an HTTP setting). */
    String text(WorkerSetting setting) {
        return switch (setting) {
            case HTTP_MAX_BODY_BYTES -> maxBodyBytes;
            case HTTP_MAX_HEADER_BYTES -> maxHeaderBytes;
            case HTTP_IDLE_TIMEOUT_MS -> idleTimeoutMs;
            case HTTP_REQUEST_TIMEOUT_MS -> requestTimeoutMs;
            case HTTP_MAX_THREADS -> maxThreads;
            case HTTP_MAX_CONNECTIONS -> maxConnections;
            case HTTP_MAX_WAIT_MS -> maxWaitMs;
            case HTTP_COMMAND_TIMEOUT_MS -> commandTimeoutMs;
            case HTTP_KEY_STORE -> keyStore;
            case HTTP_KEY_STORE_PASSWORD_FILE -> keyStorePasswordFile;
            case HTTP_TRUST_STORE -> trustStore;
            case HTTP_TRUST_STORE_PASSWORD_FILE -> trustStorePasswordFile;
            case HTTP_CLIENT_AUTH -> clientAuth;
            case HTTP_ACCESS_FILE -> accessFile;
            case HTTP_FORWARD_TOKEN_FILE -> forwardTokenFile;
            case HTTP_OPEN_PROBES -> openProbes;
            case HTTP_INSECURE -> insecure;
            default -> null;
        };
    }
}
