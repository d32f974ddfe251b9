package foldstream.worker.http;

import java.util.Map;

/**
 * What a route requires of the caller's {@link Grant}. The type a request reads or sends to is a
 * path parameter of the route, named here.
 *
 * <pre>{@code
 * Need.send("type")   // POST /aggregates/{type}/{id}/commands/{command}: send=<type> or send=*
 * Need.read("name")   // GET /projections/{name}/{key}: read=<name> or read=*
 * Need.ops()          // GET /metrics
 * Need.probe()        // GET /health: open while probes are open (the default), else ops
 * }</pre>
 */
public sealed interface Need {

    static Need open() {
        return new Open();
    }

    static Need probe() {
        return new Probe();
    }

    static Need ops() {
        return new Ops();
    }

    static Need read(String pathParameter) {
        return new Read(pathParameter);
    }

    static Need send(String pathParameter) {
        return new Send(pathParameter);
    }

    /** Whether the route answers without credentials. */
    boolean isOpen(boolean probesOpen);

    boolean allows(Grant grant, Map<String, String> path);

    /** What was missing, for a 403: {@code "send to ex_accounts"}. */
    String describe(Map<String, String> path);

    /** Anyone, always. */
    record Open() implements Need {
        public boolean isOpen(boolean probesOpen) {
            return true;
        }

        public boolean allows(Grant grant, Map<String, String> path) {
            return true;
        }

        public String describe(Map<String, String> path) {
            return "nothing";
        }
    }

    /** Liveness and readiness probes: open unless {@code --http-open-probes false}, then {@code ops}. */
    record Probe() implements Need {
        public boolean isOpen(boolean probesOpen) {
            return probesOpen;
        }

        public boolean allows(Grant grant, Map<String, String> path) {
            return grant.ops();
        }

        public String describe(Map<String, String> path) {
            return "ops";
        }
    }

    /** Metrics and health details. */
    record Ops() implements Need {
        public boolean isOpen(boolean probesOpen) {
            return false;
        }

        public boolean allows(Grant grant, Map<String, String> path) {
            return grant.ops();
        }

        public String describe(Map<String, String> path) {
            return "ops";
        }
    }

    /** Reading the state of the type (or projection, process) named by a path parameter. */
    record Read(String parameter) implements Need {
        public boolean isOpen(boolean probesOpen) {
            return false;
        }

        public boolean allows(Grant grant, Map<String, String> path) {
            return grant.mayRead(path.get(parameter));
        }

        public String describe(Map<String, String> path) {
            return "read " + path.get(parameter);
        }
    }

    /** Sending commands to the type named by a path parameter. */
    record Send(String parameter) implements Need {
        public boolean isOpen(boolean probesOpen) {
            return false;
        }

        public boolean allows(Grant grant, Map<String, String> path) {
            return grant.maySend(path.get(parameter));
        }

        public String describe(Map<String, String> path) {
            return "send to " + path.get(parameter);
        }
    }
}
