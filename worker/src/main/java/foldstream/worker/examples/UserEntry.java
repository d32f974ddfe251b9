package foldstream.worker.examples;

import java.util.List;

/**
 * An entry of the {@code user-directory} projection, under an e-mail address: the user who
 * registered it first, their name, when, and any later users who claimed the same address (the
 * directory is eventually consistent: see docs/projections.md, "Set validation").
 */
public record UserEntry(String userId, String email, String name, long registeredAt, List<String> alsoClaimedBy) {

    public UserEntry {
        alsoClaimedBy = alsoClaimedBy == null ? List.of() : List.copyOf(alsoClaimedBy);
    }
}
