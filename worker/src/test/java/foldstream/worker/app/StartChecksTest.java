package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.worker.runtime.SchemaGate;
import foldstream.worker.topics.EnsuredTopics;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker's start checks its schemas and its topics side by side, and a refused schema still stops it. */
class StartChecksTest {

    private static final SchemaGate.Report NOTHING_NEW = new SchemaGate.Report(List.of(
            new SchemaGate.Entry("ex_accounts-events-value", "Opened", 1, 1, false)));
    private static final EnsuredTopics TOPICS = new EnsuredTopics(List.of("ex_accounts-events"), List.of(), 1);

    @Test
    void bothRunAtOnceAndBothResultsAreKept() {
        // Each check waits for the other to have begun: only checks that run side by side get through.
        CountDownLatch schemasBegan = new CountDownLatch(1);
        CountDownLatch topicsBegan = new CountDownLatch(1);
        StartChecks.Passed passed = StartChecks.run(() -> {
            schemasBegan.countDown();
            await(topicsBegan);
            return NOTHING_NEW;
        }, () -> {
            topicsBegan.countDown();
            await(schemasBegan);
            return TOPICS;
        });
        assertThat(passed.schemas()).isEqualTo(NOTHING_NEW);
        assertThat(passed.topics()).isEqualTo(TOPICS);
    }

    @Test
    void aRefusedSchemaStopsTheStartThoughTheTopicsPassed() {
        assertThatThrownBy(() -> StartChecks.run(() -> {
            throw new IllegalStateException("ex_accounts-events-value: incompatible");
        }, () -> TOPICS)).isInstanceOf(IllegalStateException.class).hasMessageContaining("incompatible");
    }

    @Test
    void whenBothFailTheSchemaFailureIsTheOneReported() {
        assertThatThrownBy(() -> StartChecks.run(() -> {
            throw new IllegalStateException("the registry is unreachable");
        }, () -> {
            throw new IllegalArgumentException("the broker is unreachable");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the registry is unreachable");
    }

    @Test
    void aTopicFailureIsReportedWhenTheSchemasPassed() {
        assertThatThrownBy(() -> StartChecks.run(() -> NOTHING_NEW, () -> {
            throw new IllegalArgumentException("events topic is compacted");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("events topic is compacted");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the other check never began: the checks do not run side by side");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
