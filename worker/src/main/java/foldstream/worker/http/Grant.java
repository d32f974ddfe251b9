package foldstream.worker.http;

import java.util.Set;

/**
 * What one credential (a bearer token or a client certificate) may do on the HTTP API.
 *
 * <pre>{@code
 * Grant reader = new Grant("token 3", Set.of(), Set.of("*"), false);
 * reader.mayRead("ex_accounts");   // true
 * reader.maySend("ex_accounts");   // false
 * }</pre>
 *
 * @param who how the log and error messages name the credential (never the secret itself)
 * @param send the types it may send commands to; {@value #ANY} for all
 * @param read the types (and projections, processes) whose state it may read; {@value #ANY} for all
 * @param ops whether it may read metrics and health details (and the probes, when they are not open)
 */
public record Grant(String who, Set<String> send, Set<String> read, boolean ops) {

    public static final String ANY = "*";

    public Grant {
        send = Set.copyOf(send);
        read = Set.copyOf(read);
    }

    /** Everything: what every request gets when no credentials are configured (the API then listens on 127.0.0.1 only). */
    public static Grant everything(String who) {
        return new Grant(who, Set.of(ANY), Set.of(ANY), true);
    }

    public boolean maySend(String type) {
        return send.contains(ANY) || send.contains(type);
    }

    public boolean mayRead(String name) {
        return read.contains(ANY) || read.contains(name);
    }
}
