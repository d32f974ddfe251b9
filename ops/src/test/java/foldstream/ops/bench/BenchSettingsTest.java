package foldstream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import foldstream.worker.aggregate.StorageMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    @Test
    void runsNumberTheirStreamsFromZeroOnTheirOwnBrokerAndFromANumberOfTheirOwnOnAUsersBroker() {
        assertThat(settings(Optional.empty()).firstRunNumber()).isZero();
        // A user's broker may hold an earlier run's topics and groups (ex: archive0-commands).
        int first = settings(Optional.of("127.0.0.1:9092")).firstRunNumber();
        assertThat(first).isGreaterThanOrEqualTo(1_000).isLessThan(1_000_000_000);
        assertThat(first % 1_000).as("runs a thousand numbers apart").isZero();
    }

    private static BenchSettings settings(Optional<String> bootstrapServers) {
        return new BenchSettings(bootstrapServers, 600, 60, 2, 100, Duration.ofSeconds(3), 1, 400, List.of(StorageMode.EVENTS_ONLY),
                Path.of("bench.json"), Path.of("work"), EnumSet.of(BenchSettings.Part.BARE), BenchSettings.LOW_LATENCY);
    }
}
