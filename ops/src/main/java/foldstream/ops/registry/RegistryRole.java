package foldstream.ops.registry;

import java.util.Locale;

/**
 * What a registry user may do; each role includes the ones before it.
 *
 * <ul>
 *   <li>{@code read}: every {@code GET}, schema look-ups ({@code POST /subjects/{subject}}) and
 *       compatibility tests ({@code POST /compatibility/...}): what a reader or a worker with
 *       {@code auto.register.schemas=false} needs;</li>
 *   <li>{@code write}: also registers schemas ({@code POST /subjects/{subject}/versions}): CI, or
 *       workers that register their own;</li>
 *   <li>{@code admin}: also changes compatibility levels and modes ({@code PUT /config},
 *       {@code PUT /mode}) and deletes.</li>
 * </ul>
 */
public enum RegistryRole {
    READ, WRITE, ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean allows(RegistryRole needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named {@code read}, {@code write} or {@code admin} (any case). */
    public static RegistryRole parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + name + "': read, write or admin");
        }
    }
}
