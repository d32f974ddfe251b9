package foldstream.ops.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link KafkaBroker} on free ports, one for the whole test run (starting one takes
 * about a second, but several add up); closed and deleted when the run ends. Tests that share it
 * use topic names of their own.
 */
public final class SharedKafkaBroker implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafkaBroker.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> Running.start(), Running.class).broker;
    }

    /** The broker and its data, closed by JUnit at the end of the run. */
    static final class Running implements AutoCloseable {
        final KafkaBroker broker;
        final Path data;

        private Running(KafkaBroker broker, Path data) {
            this.broker = broker;
            this.data = data;
        }

        static Running start() {
            try {
                Path data = Files.createTempDirectory("foldstream-test-broker");
                KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(data).withFreePorts());
                broker.start();
                return new Running(broker, data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            broker.close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
