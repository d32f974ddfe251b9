package foldstream.worker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request through the {@link RouteTable}: authenticates it, checks the route's
 * {@link Need}, hands it to the endpoint as a {@link Call}, and writes the endpoint's
 * {@link Reply} with Jackson. Never blocks a server thread: endpoints answer with futures. An
 * endpoint that does not answer within its wait and the request timeout is answered 503.
 */
final class ApiHandler extends Handler.Abstract.NonBlocking {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** How much of a body that is not read is dropped so that the client gets the answer; see {@link #drain}. */
    static final long MAX_DRAIN_BYTES = 16L << 20;
    private static final Grant NOBODY = new Grant("anonymous", java.util.Set.of(), java.util.Set.of(), false);

    private final RouteTable routes;
    private final Access access;
    private final boolean probesOpen;
    private final HttpLimits limits;
    private final ObjectMapper json;

    ApiHandler(RouteTable routes, Access access, boolean probesOpen, HttpLimits limits, ObjectMapper json) {
        this.routes = routes;
        this.access = access;
        this.probesOpen = probesOpen;
        this.limits = limits;
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        CompletableFuture<Reply> reply;
        try {
            reply = answer(request);
        } catch (HttpProblem problem) {
            reply = CompletableFuture.completedFuture(problem.reply());
        } catch (RuntimeException e) {
            reply = CompletableFuture.completedFuture(internal(request, e));
        }
        reply.orTimeout(limits.maxWait().plus(limits.requestTimeout()).toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, error) -> error == null ? answer : failure(request, error))
                .thenCompose(answer -> drain(request).handle((drained, error) -> answer))
                .thenAccept(answer -> write(request, response, callback, answer));
        return true;
    }

    /**
     * Reads and drops what is left of the request's body (refused unread, or not asked for), up to
     * {@link #MAX_DRAIN_BYTES}, before the answer goes out: most clients (the JDK's among them)
     * read the answer only once they have sent the whole body, and lose it when the server closes
     * first. A body that says it is longer is not read at all: the answer is sent and the
     * connection closed.
     */
    private CompletableFuture<Void> drain(Request request) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (request.getLength() > MAX_DRAIN_BYTES) {
            done.complete(null);
            return done;
        }
        drainSome(request, new long[] {0}, done);
        return done.orTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void drainSome(Request request, long[] drained, CompletableFuture<Void> done) {
        while (!done.isDone()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(() -> drainSome(request, drained, done));
                return;
            }
            boolean last = chunk.isLast() || Content.Chunk.isFailure(chunk);
            drained[0] += chunk.remaining();
            chunk.release();
            if (last || drained[0] > MAX_DRAIN_BYTES) {
                done.complete(null);
            }
        }
    }

    private CompletableFuture<Reply> answer(Request request) {
        String method = request.getMethod();
        List<String> segments;
        try {
            segments = RouteTable.segments(request.getHttpURI().getPath(), true);
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(400, "INVALID_PATH", "the path is not percent-encoded correctly");
        }
        RouteTable.Match match = routes.match(method, segments);
        if (match instanceof RouteTable.Match.None) {
            throw new HttpProblem(404, "NO_SUCH_ENDPOINT", method + " " + request.getHttpURI().getPath()
                    + " is not an endpoint; the endpoints are " + routes.describe());
        }
        if (match instanceof RouteTable.Match.WrongMethod) {
            throw new HttpProblem(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + request.getHttpURI().getPath()
                    + "; the endpoints are " + routes.describe());
        }
        RouteTable.Match.Found found = (RouteTable.Match.Found) match;
        Grant grant = authorize(request, found.route().need(), found.parameters());
        Call call = new Call(method, found.parameters(), query(request), name -> request.getHeaders().get(name), grant,
                () -> body(request));
        return found.route().endpoint().answer(call);
    }

    /** The caller's grant, or a 401 (who are you?) or 403 (not you) problem. */
    private Grant authorize(Request request, Need need, Map<String, String> parameters) {
        Access.Authentication who = access.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), peerCertificates(request));
        if (need.isOpen(probesOpen)) {
            return who instanceof Access.Authentication.Granted granted ? granted.grant() : NOBODY;
        }
        if (who instanceof Access.Authentication.Missing) {
            throw new HttpProblem(401, "UNAUTHENTICATED", "this endpoint needs a bearer token (Authorization: Bearer <token>)"
                    + " or a client certificate");
        }
        if (who instanceof Access.Authentication.Refused refused) {
            throw new HttpProblem(401, "UNAUTHENTICATED", refused.reason());
        }
        Grant grant = ((Access.Authentication.Granted) who).grant();
        if (!need.allows(grant, parameters)) {
            throw new HttpProblem(403, "FORBIDDEN", grant.who() + " may not " + need.describe(parameters));
        }
        return grant;
    }

    private static X509Certificate[] peerCertificates(Request request) {
        return request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls
                ? tls.peerCertificates() : null;
    }

    private static Map<String, String> query(Request request) {
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new HttpProblem(400, "INVALID_PARAMETER", "the query is not percent-encoded correctly");
        }
        Map<String, String> query = new HashMap<>();
        for (Fields.Field field : fields) {
            query.putIfAbsent(field.getName(), field.getValue());
        }
        return query;
    }

    /**
     * The body, refused unread when it says it is too long, refused as soon as it grows too long
     * otherwise, and abandoned when it takes longer than the request timeout to arrive.
     */
    private CompletableFuture<String> body(Request request) {
        long length = request.getLength();
        if (length > limits.maxBodyBytes()) {
            return CompletableFuture.failedFuture(tooLarge());
        }
        return Content.Source.asByteArrayAsync(request, limits.maxBodyBytes())
                .orTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((bytes, error) -> {
                    if (error == null) {
                        return new String(bytes, StandardCharsets.UTF_8);
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                        throw tooLarge();
                    }
                    if (cause instanceof TimeoutException) {
                        throw new HttpProblem(408, "REQUEST_TIMEOUT", "the body did not arrive within " + limits.requestTimeout().toMillis()
                                + " ms");
                    }
                    throw new HttpProblem(400, "UNREADABLE_BODY", "the body could not be read");
                });
    }

    private HttpProblem tooLarge() {
        return new HttpProblem(413, "BODY_TOO_LARGE", "the body is larger than " + limits.maxBodyBytes() + " bytes");
    }

    private Reply failure(Request request, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpProblem problem) {
            return problem.reply();
        }
        if (cause instanceof TimeoutException) {
            return Reply.error(503, "REQUEST_TIMEOUT", "no answer within " + limits.maxWait().plus(limits.requestTimeout()).toMillis()
                    + " ms");
        }
        return internal(request, cause);
    }

    /** A 500 that names an incident id; the detail goes to the log only. */
    private static Reply internal(Request request, Throwable error) {
        String incident = UUID.randomUUID().toString();
        LOG.error("HTTP {} {} failed (incident {})", request.getMethod(), request.getHttpURI().getPath(), incident, error);
        return Reply.error(500, "INTERNAL", "the worker failed to answer; the log says why under incident " + incident);
    }

    private void write(Request request, Response response, Callback callback, Reply reply) {
        byte[] bytes;
        try {
            bytes = reply.body() instanceof String text && !Reply.JSON.equals(reply.contentType())
                    ? text.getBytes(StandardCharsets.UTF_8) : json.writeValueAsBytes(reply.body());
        } catch (JsonProcessingException e) {
            write(request, response, callback, internal(request, e));
            return;
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (reply.status() == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"foldstream\"");
        }
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
