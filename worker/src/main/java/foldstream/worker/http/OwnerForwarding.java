package foldstream.worker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the instance that owns an aggregate, over the same TLS and with this instance's own
 * credentials: its client certificate (the key store the server uses) and its forward token, if
 * given. The owner answers as it would answer a client; it never forwards again.
 *
 * <pre>{@code
 * forwarding.get(owner, "/aggregates/ex_accounts/a1?minVersion=3&waitMs=500", Duration.ofMillis(500))
 * }</pre>
 */
public final class OwnerForwarding {

    /** Marks a forwarded request: the owner answers from its own store or says it is not ready. */
    public static final String FORWARDED = "Foldstream-Forwarded";

    private static final Logger LOG = LoggerFactory.getLogger(OwnerForwarding.class);

    // Built on the first forward, under the lock: creating the client loads the JDK's HTTP and TLS
    // classes and, for plain http, its default trust store, about a tenth of a second of a worker's
    // start that only a read forwarded to another instance needs.
    private final HttpClient.Builder builder;
    private HttpClient client;
    private final String scheme;
    private final Optional<String> token;
    private final Duration slack;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param token presented as {@code Authorization: Bearer}; never logged
     * @param slack how long the owner may take beyond the wait
     */
    public OwnerForwarding(Optional<TlsSettings> tls, Optional<String> token, Duration slack) {
        this.builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        // Here, not on the first forward: a key or trust store that cannot be read is a setting to refuse at once.
        tls.ifPresent(settings -> builder.sslContext(settings.clientContext()));
        this.scheme = tls.isPresent() ? "https" : "http";
        this.token = token;
        this.slack = slack;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = builder.build();
        }
        return client;
    }

    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The owner's answer as is; 502 when it does not answer, refuses this instance's credentials, or answers no JSON. */
    public CompletableFuture<Reply> get(HostInfo owner, String pathAndQuery, Duration wait) {
        URI uri = URI.create(scheme + "://" + owner.host() + ":" + owner.port() + pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header(FORWARDED, "true").timeout(wait.plus(slack)).GET();
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        String where = owner.host() + ":" + owner.port();
        return client().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                LOG.warn("forwarding GET {} to the owner at {} failed", uri.getRawPath(), where, error);
                return Reply.error(502, "OWNER_UNREACHABLE", "the instance that owns it, at " + where + ", did not answer");
            }
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                LOG.warn("the owner at {} refused this instance's credentials ({}): give every instance a forward token or client"
                        + " certificate that the others' access files grant read", where, response.statusCode());
                return Reply.error(502, "OWNER_REFUSED", "the instance that owns it, at " + where
                        + ", refused this instance's credentials");
            }
            try {
                JsonNode body = json.readTree(response.body());
                return Reply.of(response.statusCode(), body);
            } catch (IOException e) {
                return Reply.error(502, "OWNER_UNREADABLE", "the instance that owns it, at " + where + ", answered "
                        + response.statusCode() + " without JSON");
            }
        });
    }
}
