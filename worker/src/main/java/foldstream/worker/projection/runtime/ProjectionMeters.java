package foldstream.worker.projection.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The generations of each embedded projection in {@code /metrics}, so an operator follows a
 * blue/green reset: which generation serves, which is being built, and how far it is behind.
 *
 * <pre>{@code
 * // foldstream_projection_generation{projection="user-directory",role="serving"} 1.0
 * // foldstream_projection_generation{projection="user-directory",role="building"} 2.0   (0 when no reset runs)
 * // foldstream_projection_rebuild_behind{projection="user-directory"} 1234.0
 * }</pre>
 */
final class ProjectionMeters {

    private ProjectionMeters() {
    }

    static void register(MeterRegistry registry, BlueGreenProjection<?> projection) {
        String name = projection.projection().name();
        Gauge.builder("foldstream.projection.generation", projection, BlueGreenProjection::servingGeneration)
                .description("The generation of the projection that serves queries here (1 until a blue/green reset)")
                .tags("projection", name, "role", "serving").strongReference(true).register(registry);
        Gauge.builder("foldstream.projection.generation", projection, BlueGreenProjection::buildingGeneration)
                .description("The generation of the projection a blue/green reset builds here beside the serving one (0 when none)")
                .tags("projection", name, "role", "building").strongReference(true).register(registry);
        Gauge.builder("foldstream.projection.rebuild.behind", projection, BlueGreenProjection::behind)
                .description("Records the generation being built still has to apply to catch up with the serving one (0 when none is built)")
                .tags("projection", name).strongReference(true).register(registry);
    }
}
