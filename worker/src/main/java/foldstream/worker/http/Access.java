package foldstream.worker.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Who may do what on the HTTP API: bearer tokens and client-certificate identities, each with a
 * {@link Grant}, read from an access file (one credential a line):
 *
 * <pre>
 * # credential                               permissions
 * sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  send=ex_accounts,ex_users read=* ops
 * token:a-token-written-as-is                read=ex_users
 * dn:"CN=worker-2,OU=foldstream,O=Acme Corp" read=*
 * san:reporting.internal                     read=ex_accounts
 * </pre>
 *
 * <p>A token is given as {@code sha256:} and the hex SHA-256 of its UTF-8 bytes (so the file holds
 * no secret: {@code printf %s "$TOKEN" | sha256sum}) or as {@code token:} and the token itself. A
 * certificate is matched by its subject ({@code dn:}, compared as X.500 names, so spacing and case
 * of attribute names do not matter) or by one of its subject alternative names ({@code san:}, a DNS
 * name, IP address, e-mail or URI). Permissions: {@code send=TYPES}, {@code read=NAMES} (comma
 * separated, {@code *} for all) and {@code ops} (metrics, health details). Blank lines and lines
 * starting with {@code #} are ignored.
 *
 * <p>A request with a bearer token is judged by the token alone; one without, by its client
 * certificate. {@link #none()} (no file) grants everything to everyone: the worker then listens on
 * 127.0.0.1 only, unless told {@code --http-insecure}.
 */
public final class Access {

    private final boolean configured;
    private final Map<String, Grant> tokens;
    private final Map<X500Principal, Grant> subjects;
    private final Map<String, Grant> alternativeNames;

    private Access(boolean configured, Map<String, Grant> tokens, Map<X500Principal, Grant> subjects,
                   Map<String, Grant> alternativeNames) {
        this.configured = configured;
        this.tokens = Map.copyOf(tokens);
        this.subjects = Map.copyOf(subjects);
        this.alternativeNames = Map.copyOf(alternativeNames);
    }

    /** No credentials configured: every request may do everything. */
    public static Access none() {
        return new Access(false, Map.of(), Map.of(), Map.of());
    }

    /**
     * Reads an access file's lines.
     *
     * @throws IllegalArgumentException naming the line that is wrong (never repeating a token)
     */
    public static Access parse(List<String> lines) {
        Map<String, Grant> tokens = new HashMap<>();
        Map<X500Principal, Grant> subjects = new LinkedHashMap<>();
        Map<String, Grant> names = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int number = i + 1;
            int end = identityEnd(line, number);
            String identity = line.substring(0, end);
            String who = "line " + number + " (" + (identity.startsWith("token:") || identity.startsWith("sha256:")
                    ? identity.substring(0, identity.indexOf(':')) + " ..." : identity) + ")";
            Grant grant = permissions(line.substring(end).strip(), who, number);
            boolean fresh;
            if (identity.startsWith("sha256:")) {
                String hex = identity.substring("sha256:".length()).toLowerCase(Locale.ROOT);
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("line " + number + ": sha256: must be followed by 64 hex digits");
                }
                fresh = tokens.put(hex, grant) == null;
            } else if (identity.startsWith("token:")) {
                String token = identity.substring("token:".length());
                if (token.length() < 16) {
                    throw new IllegalArgumentException("line " + number + ": a token must be at least 16 characters long");
                }
                fresh = tokens.put(sha256(token), grant) == null;
            } else if (identity.startsWith("dn:")) {
                String dn = unquote(identity.substring("dn:".length()));
                try {
                    fresh = subjects.put(new X500Principal(dn), grant) == null;
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + number + ": '" + dn + "' is not a distinguished name");
                }
            } else if (identity.startsWith("san:")) {
                fresh = names.put(unquote(identity.substring("san:".length())).toLowerCase(Locale.ROOT), grant) == null;
            } else {
                throw new IllegalArgumentException("line " + number + ": a credential starts with sha256:, token:, dn: or san:");
            }
            if (!fresh) {
                throw new IllegalArgumentException("line " + number + ": the same credential is given twice");
            }
        }
        return new Access(true, tokens, subjects, names);
    }

    /** Whether credentials are configured; without, everyone may do everything. */
    public boolean configured() {
        return configured;
    }

    /**
     * Who the request is, from its {@code Authorization} header or else its client certificate.
     *
     * @param authorization the header's value, or null
     * @param peer the verified client certificate chain, or null
     */
    public Authentication authenticate(String authorization, X509Certificate[] peer) {
        if (!configured) {
            return new Authentication.Granted(Grant.everything("anyone (no credentials configured)"));
        }
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
                return new Authentication.Refused("the Authorization header must be 'Bearer <token>'");
            }
            Grant grant = tokens.get(sha256(authorization.substring(7).strip()));
            return grant == null ? new Authentication.Refused("the bearer token is not known") : new Authentication.Granted(grant);
        }
        if (peer != null && peer.length > 0) {
            X509Certificate certificate = peer[0];
            Grant grant = subjects.get(certificate.getSubjectX500Principal());
            if (grant == null) {
                grant = byAlternativeName(certificate);
            }
            return grant == null ? new Authentication.Refused("the client certificate "
                    + certificate.getSubjectX500Principal().getName() + " is not in the access file")
                    : new Authentication.Granted(grant);
        }
        return new Authentication.Missing();
    }

    private Grant byAlternativeName(X509Certificate certificate) {
        try {
            if (certificate.getSubjectAlternativeNames() == null) {
                return null;
            }
            for (List<?> name : certificate.getSubjectAlternativeNames()) {
                Object value = name.get(1);
                Grant grant = value instanceof String text ? alternativeNames.get(text.toLowerCase(Locale.ROOT)) : null;
                if (grant != null) {
                    return grant;
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    /** Where the credential ends: after a quoted value, or at the first blank. */
    private static int identityEnd(String line, int number) {
        int colon = line.indexOf(':');
        if (colon > 0 && colon + 1 < line.length() && line.charAt(colon + 1) == '"') {
            int close = line.indexOf('"', colon + 2);
            if (close < 0) {
                throw new IllegalArgumentException("line " + number + ": a quote is not closed");
            }
            return close + 1;
        }
        int blank = 0;
        while (blank < line.length() && !Character.isWhitespace(line.charAt(blank))) {
            blank++;
        }
        return blank;
    }

    private static String unquote(String text) {
        return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
    }

    private static Grant permissions(String text, String who, int number) {
        Set<String> send = new HashSet<>();
        Set<String> read = new HashSet<>();
        boolean ops = false;
        List<String> words = text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
        if (words.isEmpty()) {
            throw new IllegalArgumentException("line " + number + ": no permissions (send=TYPES, read=NAMES, ops)");
        }
        for (String word : words) {
            if (word.equals("ops")) {
                ops = true;
            } else if (word.startsWith("send=")) {
                send.addAll(names(word.substring(5), number));
            } else if (word.startsWith("read=")) {
                read.addAll(names(word.substring(5), number));
            } else {
                throw new IllegalArgumentException("line " + number + ": unknown permission '" + word
                        + "'; permissions are send=TYPES, read=NAMES and ops");
            }
        }
        return new Grant(who, send, read, ops);
    }

    private static List<String> names(String list, int number) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("line " + number + ": an empty name in '" + list + "'");
            }
            names.add(name.strip());
        }
        return names;
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Who a request is. */
    public sealed interface Authentication {
        /** Known, with what it may do. */
        record Granted(Grant grant) implements Authentication {
        }

        /** No credentials given: 401. */
        record Missing() implements Authentication {
        }

        /** Credentials given but not known: 401, saying why without repeating them. */
        record Refused(String reason) implements Authentication {
        }
    }
}
