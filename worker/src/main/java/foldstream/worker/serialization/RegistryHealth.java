package foldstream.worker.serialization;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The schema registry's health as a worker sees it, the one status its {@code /health} registry
 * check reads: {@link DependencyStatus.Available} until a call fails in a way that makes records
 * wait, then {@link DependencyStatus.Waiting} since the first such failure, until a call is answered
 * again. The codec's calls ({@link RegistryWait#call}) and the health probe ({@link RegistryWait#probe})
 * both report here. Read it with {@code worker.registryHealth().status()}. Thread-safe.
 */
public final class RegistryHealth {

    private static final DependencyStatus AVAILABLE = new DependencyStatus.Available();

    private final Clock clock;
    private final AtomicReference<DependencyStatus> status = new AtomicReference<>(AVAILABLE);

    public RegistryHealth(Clock clock) {
        this.clock = clock;
    }

    /** The current status: available, or waiting since when and why. */
    public DependencyStatus status() {
        return status.get();
    }

    /** A call failed and its record waits; returns the status after it (the episode's first instant is kept). */
    DependencyStatus.Waiting failed(String reason) {
        return (DependencyStatus.Waiting) status.updateAndGet(now -> now instanceof DependencyStatus.Waiting waiting
                ? new DependencyStatus.Waiting(waiting.since(), reason, waiting.failures() + 1)
                : new DependencyStatus.Waiting(clock.instant(), reason, 1));
    }

    /** A call was answered; returns the status it replaced (a {@code Waiting} when this ends an episode). */
    DependencyStatus answered() {
        return status.getAndSet(AVAILABLE);
    }
}
