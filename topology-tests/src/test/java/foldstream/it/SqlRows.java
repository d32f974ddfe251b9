package foldstream.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The first column of a query's rows as text, on a fresh connection, for the JDBC projection tests;
 * a table that does not exist yet (the runner creates it) reads as no rows.
 *
 * <pre>{@code
 * List<String> balances = SqlRows.column(database, "SELECT id || '=' || balance FROM balances ORDER BY id");
 * }</pre>
 */
final class SqlRows {

    private SqlRows() {
    }

    static List<String> column(String database, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            if (e.getMessage().contains("does not exist")) {
                return List.of();
            }
            throw e;
        }
    }
}
