package foldstream.worker.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The names and records of projection generations, as docs/contract.md ("Projection generations") states them. */
class ProjectionGenerationsTest {

    @Test
    void generationOneKeepsTheNamesProjectionsAlwaysHadAndLaterOnesAppendTheirNumber() {
        assertThat(ProjectionGenerations.applicationId("foldstream", "user-directory", 1, 1)).isEqualTo("foldstream-projection-user-directory-v1")
                .isEqualTo(EmbeddedProjectionRunner.applicationId("foldstream", "user-directory", 1));
        assertThat(ProjectionGenerations.applicationId("foldstream", "user-directory", 3, 2)).isEqualTo("foldstream-projection-user-directory-v3-g2");
        assertThat(ProjectionGenerations.topic("foldstream")).isEqualTo("foldstream-projection-generations");
        assertThat(ProjectionGenerations.key("user-directory", 3)).isEqualTo("user-directory-v3");
    }

    @Test
    void theInternalTopicsOfAGenerationAreNamedExactlySoNoOtherGenerationsAreTaken() {
        assertThat(EmbeddedProjectionRunner.internalTopics("app-projection-dir-v1")).containsExactly(
                "app-projection-dir-v1-versions-changelog", "app-projection-dir-v1-states-changelog", "app-projection-dir-v1-applied-changelog",
                "app-projection-dir-v1-retries-changelog", "app-projection-dir-v1-by-key-repartition")
                .noneMatch(topic -> topic.startsWith("app-projection-dir-v1-g"));
    }

    @Test
    void aRequestIsJsonWithItsGenerationWhenAndWho() {
        ProjectionGenerations.Request request = new ProjectionGenerations.Request(2, Instant.parse("2026-11-29T22:00:00Z"), "ann@ops1");
        assertThat(request.json()).isEqualTo("{\"generation\":2,\"requestedAt\":\"2026-11-29T22:00:00Z\",\"requestedBy\":\"ann@ops1\"}");
        assertThat(ProjectionGenerations.Request.parse(request.json())).contains(request);
        // Written by hand or by another tool: only the generation is needed.
        assertThat(ProjectionGenerations.Request.parse("{\"generation\": 4}")).map(ProjectionGenerations.Request::generation).contains(4);
    }

    @Test
    void aValueThatIsNotARequestIsRecognisedAsSuchNotTakenForOne() {
        for (String bad : new String[] {null, "", "2", "not json", "{\"generation\": 0}", "{\"generation\": \"two\"}", "{}",
            "{\"generation\": 2, \"requestedAt\": \"yesterday\"}"}) {
            assertThat(ProjectionGenerations.Request.parse(bad)).as(String.valueOf(bad)).isEqualTo(Optional.empty());
        }
        assertThatThrownBy(() -> new ProjectionGenerations.Request(0, Instant.EPOCH, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
