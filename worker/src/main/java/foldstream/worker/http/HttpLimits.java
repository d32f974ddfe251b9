package foldstream.worker.http;

import java.time.Duration;

/**
 * The bounds the HTTP API keeps to, whatever clients send.
 *
 * <pre>{@code
 * HttpLimits limits = HttpLimits.defaults().withMaxWait(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param maxBodyBytes larger bodies are refused with 413, unread when they say their length
 * @param maxHeaderBytes larger request lines and headers are refused with 431
 * @param idleTimeout a connection that sends or reads nothing this long is closed
 * @param requestTimeout how long a request may take besides the wait it asks for (reading its body,
 *     forwarding it); then it is answered 503 {@code REQUEST_TIMEOUT}
 * @param maxThreads the server's threads, shared by every connection (requests that wait hold none)
 * @param maxConnections open connections at most; beyond, new ones wait in the accept queue and
 *     idle ones are closed sooner
 * @param maxWait the cap on {@code waitMs} and {@code timeoutMs}: larger values wait this long
 * @param commandTimeout how long a command waits for its result when the request does not say
 */
public record HttpLimits(int maxBodyBytes, int maxHeaderBytes, Duration idleTimeout, Duration requestTimeout, int maxThreads,
                         int maxConnections, Duration maxWait, Duration commandTimeout) {

    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 << 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_THREADS = 32;
    /** Jetty's own need: acceptor and selector threads come out of the pool. */
    public static final int MIN_THREADS = 8;
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_THREADS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_WAIT, DEFAULT_COMMAND_TIMEOUT);
    }

    public HttpLimits withMaxWait(Duration wait) {
        return new HttpLimits(maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout, maxThreads, maxConnections, wait,
                commandTimeout);
    }

    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(maxBodyBytes, maxHeaderBytes, timeout, requestTimeout, maxThreads, maxConnections, maxWait,
                commandTimeout);
    }

    /** A wait a request asked for, capped. */
    public long capWaitMs(long askedMs) {
        return Math.min(askedMs, maxWait.toMillis());
    }
}
