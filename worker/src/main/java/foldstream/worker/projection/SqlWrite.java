package foldstream.worker.projection;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One SQL statement a JDBC projection wants run for an event: the statement with {@code ?}
 * placeholders and its parameters, as JDBC's {@code PreparedStatement} takes them. The runtime runs
 * every write of an event in the transaction that also moves the projection's position, so the
 * writes happen exactly once; the fixture compares them without a database.
 *
 * <pre>{@code
 * SqlWrite.of("UPDATE account_balances SET balance = ?, version = ? WHERE account_id = ?", 70L, 3L, "a1")
 * }</pre>
 *
 * @param parameters JDBC values: strings, numbers, booleans, {@code java.sql.Timestamp}, or null
 */
public record SqlWrite(String sql, List<Object> parameters) {

    public SqlWrite {
        Objects.requireNonNull(sql, "sql");
        // List.copyOf refuses nulls, and SQL NULL is a legitimate parameter.
        parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
    }

    public static SqlWrite of(String sql, Object... parameters) {
        return new SqlWrite(sql, Arrays.asList(parameters));
    }
}
