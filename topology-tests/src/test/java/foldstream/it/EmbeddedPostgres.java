package foldstream.it;

import foldstream.ops.stack.PostgresServer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real PostgreSQL 14 for the tests ({@link PostgresServer}: binaries from Maven Central, run as an
 * unprivileged user): one server per test class, stopped after it.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedPostgres.class)
 * class AccountBalancesIT {
 *     @Test
 *     void balances(PostgresServer postgres) throws SQLException {
 *         try (Connection connection = postgres.connect()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class EmbeddedPostgres implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedPostgres.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, key -> new Running(PostgresServer.start()),
                Running.class).server();
    }

    /** Stopped with the test class's store. */
    private record Running(PostgresServer server) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            server.close();
        }
    }
}
