package foldstream.ops.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users of a registry and their roles, read from a users file, and HTTP basic authentication
 * against them.
 *
 * <p>The file has one user per line, {@code name:role:hash}; blank lines and lines starting with
 * {@code #} are ignored. The role is {@code read}, {@code write} or {@code admin}
 * ({@link RegistryRole}); the hash is a {@link PasswordHash}, never the password, so the file can be
 * read by operators without giving the passwords away. {@code ops/foldstream registry hash-password
 * NAME ROLE} prints such a line for a password read from standard input.
 *
 * <pre>{@code
 * # registry-users.txt
 * ci:write:pbkdf2-sha256$210000$qD3...$Yx9...
 * worker:read:pbkdf2-sha256$210000$Hk1...$0aB...
 * ops:admin:pbkdf2-sha256$210000$Zz8...$Pq2...
 * }</pre>
 *
 * <p>A verified {@code Authorization} header is remembered (by its SHA-256, never in clear), so only
 * a client's first request pays for PBKDF2. Thread-safe.
 */
public final class RegistryUsers {

    /** A user the file names. */
    public record User(String name, RegistryRole role, PasswordHash hash) {
    }

    /** What an {@code Authorization} header proves. */
    public sealed interface Authentication permits Authenticated, Refused {
    }

    /** The header names a user of the file with the right password. */
    public record Authenticated(String name, RegistryRole role) implements Authentication {
    }

    /** No header, another scheme, an unknown user or a wrong password: the reason is for the log, not the caller. */
    public record Refused(String reason) implements Authentication {
    }

    private static final int MAX_REMEMBERED = 10_000;
    // Compared against when the user is unknown, so that a wrong name costs as long as a wrong password.
    private static final PasswordHash DECOY = PasswordHash.create("decoy".toCharArray());

    private final Map<String, User> users;
    private final Map<String, Authenticated> verified = new ConcurrentHashMap<>();

    public RegistryUsers(List<User> users) {
        Map<String, User> byName = new HashMap<>();
        for (User user : users) {
            if (byName.put(user.name(), user) != null) {
                throw new IllegalArgumentException("the user '" + user.name() + "' is named twice");
            }
        }
        this.users = Map.copyOf(byName);
    }

    /**
     * Reads a users file.
     *
     * @throws IllegalArgumentException naming the file and line when a line is wrong (never echoing a hash)
     */
    public static RegistryUsers load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the users file " + file + ": " + e.getMessage(), e);
        }
        List<User> users = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", 3);
            try {
                if (parts.length != 3 || parts[0].isBlank()) {
                    throw new IllegalArgumentException("must read name:role:hash");
                }
                users.add(new User(parts[0].strip(), RegistryRole.parse(parts[1]), PasswordHash.parse(parts[2])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("users file " + file + ", line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("the users file " + file + " names no user: nobody could call the registry");
        }
        try {
            return new RegistryUsers(users);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("users file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The line of the users file for this user: {@code name:role:hash}. */
    public static String line(String name, RegistryRole role, char[] password) {
        if (name.isBlank() || name.contains(":")) {
            throw new IllegalArgumentException("a user name must not be blank nor contain ':'");
        }
        return name + ":" + role.name().toLowerCase(java.util.Locale.ROOT) + ":" + PasswordHash.create(password).encoded();
    }

    /** Checks an HTTP {@code Authorization} header ({@code Basic base64(name:password)}); {@code null} when absent. */
    public Authentication authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Refused("no credentials");
        }
        String key = sha256(authorization);
        Authenticated known = verified.get(key);
        if (known != null) {
            return known;
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Refused("not HTTP basic authentication");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Refused("credentials that are not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Refused("credentials without ':'");
        }
        String name = decoded.substring(0, colon);
        char[] password = decoded.substring(colon + 1).toCharArray();
        User user = users.get(name);
        if (user == null) {
            DECOY.matches(password);
            return new Refused("unknown user '" + name + "'");
        }
        if (!user.hash().matches(password)) {
            return new Refused("wrong password for user '" + name + "'");
        }
        Authenticated authenticated = new Authenticated(user.name(), user.role());
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(key, authenticated);
        return authenticated;
    }

    public Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
