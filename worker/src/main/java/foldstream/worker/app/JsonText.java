package foldstream.worker.app;

/** The few JSON bits the HTTP API writes by hand around Avro's JSON: quoted strings and error bodies. */
final class JsonText {

    private JsonText() {
    }

    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** {@code {"error": "...", "message": "..."}} */
    static String error(String error, String message) {
        return "{\"error\":" + quote(error) + ",\"message\":" + quote(message) + "}";
    }
}
