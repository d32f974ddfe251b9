package foldstream.worker.serialization;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body along its writer schema without allocating anything, and says whether
 * Avro's reader can read it within bounds: every string, bytes and fixed no longer than the bytes
 * that remain, at most {@code collectionItems} array and map items in all, nesting at most
 * {@code nestingDepth} deep, union and enum indexes in range.
 *
 * <p>Why not Avro's own limits: Avro 1.12 has only the JVM-wide system properties
 * {@code org.apache.avro.limits.string.maxLength}, {@code bytes.maxLength} and
 * {@code collectionItems.maxLength}, read once when its {@code SystemLimitException} class loads
 * (so not settable per worker or per test, and global to every user of Avro in the JVM); they
 * bound a declared length by a constant rather than by the bytes actually present, and bound
 * neither arrays of empty items nor nesting. Checking first costs one pass over the value.
 *
 * <pre>{@code
 * String problem = new AvroBounds(100_000, 64).check(writerSchema, bytes, 5); // null when readable within bounds
 * }</pre>
 *
 * @param collectionItems array and map items allowed in one value, all collections together
 * @param nestingDepth how deep records, arrays, maps and unions may nest
 */
public record AvroBounds(int collectionItems, int nestingDepth) {

    /** Bounds that only stop a declared length beyond the value's end. */
    public static final AvroBounds LENIENT = new AvroBounds(Integer.MAX_VALUE, 1_000);

    private static final Schema MAP_KEY = Schema.create(Schema.Type.STRING);

    /** Why the body does not fit the bounds, or {@code null} when it does. */
    public String check(Schema writer, byte[] bytes, int offset) {
        Walk walk = new Walk(bytes, offset);
        try {
            walk.value(writer, 0);
            return null;
        } catch (OutOfBounds e) {
            return e.getMessage();
        }
    }

    private static final class OutOfBounds extends Exception {
        OutOfBounds(String message) {
            super(message, null, false, false);
        }
    }

    private final class Walk {
        private final byte[] bytes;
        private int position;
        private long items;

        Walk(byte[] bytes, int offset) {
            this.bytes = bytes;
            this.position = offset;
        }

        void value(Schema schema, int depth) throws OutOfBounds {
            if (depth > nestingDepth) {
                throw new OutOfBounds("the value nests deeper than " + nestingDepth + " levels");
            }
            switch (schema.getType()) {
                case NULL -> { }
                case BOOLEAN -> skip(1, schema);
                case INT, LONG -> number();
                case FLOAT -> skip(4, schema);
                case DOUBLE -> skip(8, schema);
                case FIXED -> skip(schema.getFixedSize(), schema);
                case STRING, BYTES -> {
                    long length = number();
                    if (length < 0) {
                        throw new OutOfBounds("a " + schema.getType().getName() + " declares a negative length " + length);
                    }
                    skip(length, schema);
                }
                case ENUM -> index(number(), schema.getEnumSymbols().size(), "enum " + schema.getFullName());
                case RECORD -> {
                    for (Schema.Field field : schema.getFields()) {
                        value(field.schema(), depth + 1);
                    }
                }
                case ARRAY -> collection(schema.getElementType(), false, depth);
                case MAP -> collection(schema.getValueType(), true, depth);
                case UNION -> {
                    List<Schema> branches = schema.getTypes();
                    value(branches.get(index(number(), branches.size(), "union")), depth + 1);
                }
            }
        }

        private void collection(Schema item, boolean keyed, int depth) throws OutOfBounds {
            while (true) {
                long count = number();
                if (count == 0) {
                    return;
                }
                if (count < 0) {
                    count = -count; // a block with its size in bytes, which the items must match anyway
                    if (count < 0) {
                        throw new OutOfBounds("a collection declares an impossible block of " + count + " items");
                    }
                    number();
                }
                items += count;
                if (items > collectionItems) {
                    throw new OutOfBounds("the value declares more than " + collectionItems + " array or map items");
                }
                for (long i = 0; i < count; i++) {
                    if (keyed) {
                        value(MAP_KEY, depth + 1);
                    }
                    value(item, depth + 1);
                }
            }
        }

        private int index(long index, int size, String what) throws OutOfBounds {
            if (index < 0 || index >= size) {
                throw new OutOfBounds(what + " index " + index + " is out of range (0 to " + (size - 1) + ")");
            }
            return (int) index;
        }

        private void skip(long length, Schema schema) throws OutOfBounds {
            long remaining = bytes.length - position;
            if (length > remaining) {
                throw new OutOfBounds("a " + schema.getType().getName() + " declares " + length + " bytes where "
                        + remaining + " remain");
            }
            position += (int) length;
        }

        /** A zig-zag varint, as Avro writes int and long. */
        private long number() throws OutOfBounds {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= bytes.length) {
                    throw new OutOfBounds("the value ends inside a number");
                }
                byte b = bytes[position++];
                raw |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new OutOfBounds("a number is longer than 10 bytes");
        }
    }
}
