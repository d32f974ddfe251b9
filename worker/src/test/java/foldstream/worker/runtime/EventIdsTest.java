package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void theNameBasedUuidOfTypeIdAndVersion() {
        EventIds ids = new EventIds("ex_accounts");
        for (String id : new String[] {"a1", "ünï-cödé", ""}) {
            for (long version : new long[] {1, 2, 1_000_000_007L}) {
                String expected = UUID.nameUUIDFromBytes(("ex_accounts\u0000" + id + "\u0000" + version)
                        .getBytes(StandardCharsets.UTF_8)).toString();
                assertThat(ids.of(id, version)).isEqualTo(expected);
            }
        }
    }

    @Test
    void differentEventsGetDifferentIds() {
        EventIds ids = new EventIds("ex_accounts");
        assertThat(ids.of("a1", 1)).isNotEqualTo(ids.of("a1", 2)).isNotEqualTo(ids.of("a2", 1));
        assertThat(new EventIds("ex_users").of("a1", 1)).isNotEqualTo(ids.of("a1", 1));
    }
}
