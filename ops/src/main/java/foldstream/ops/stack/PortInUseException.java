package foldstream.ops.stack;

/**
 * A port the stack needs is taken, most likely by another stack or broker.
 *
 * <pre>{@code
 * catch (PortInUseException e) {
 *     System.err.println(e.getMessage() + " (--kafka-port " + e.port() + ")");
 * }
 * }</pre>
 */
public final class PortInUseException extends IllegalStateException {

    private final int port;

    public PortInUseException(String host, int port, String what) {
        super("the " + what + " " + host + ":" + port + " is already in use; is another broker or stack running?"
                + " Stop it or choose another port");
        this.port = port;
    }

    public int port() {
        return port;
    }
}
