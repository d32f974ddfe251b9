package foldstream.worker.http;

/** Reading numbers from query parameters and headers, refusing bad ones with a 400 that names them. */
final class Parameters {

    private Parameters() {
    }

    /** A whole number of 0 or more, or {@code absent}. */
    static long nonNegative(Call call, String name, long absent) {
        String value = call.query(name).orElse(null);
        if (value == null) {
            return absent;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new HttpProblem(400, "INVALID_PARAMETER", name + " must be a whole number of 0 or more, was '" + value + "'");
    }

    static long positive(Call call, String name, long absent) {
        long parsed = nonNegative(call, name, absent);
        if (parsed == 0) {
            throw new HttpProblem(400, "INVALID_PARAMETER", name + " must be positive");
        }
        return parsed;
    }

    /** {@code Expected-Version}: -1 (any), 0 or a version. */
    static long expectedVersion(Call call, String header) {
        String value = call.header(header).orElse(null);
        if (value == null) {
            return -1;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= -1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new HttpProblem(400, "INVALID_HEADER", header + " must be -1, 0 or a version, was '" + value + "'");
    }
}
