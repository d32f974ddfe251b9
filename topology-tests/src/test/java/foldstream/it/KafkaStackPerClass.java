package foldstream.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@link KafkaStack}'s broker and registry, started the same way, but one for each test class that
 * uses this extension: started when the class first asks for it and closed after the class's last
 * test. For the ITs that run {@link WorkerProcess}es: the worker program runs the example types, whose
 * topics have fixed names ({@code ex_accounts-commands}, ...), and other ITs run those types too. On a
 * shared broker each would find the other's commands on those topics (decided again by every new
 * application, thousands of them after a load test) and the partition counts the other created.
 *
 * <pre>{@code
 * @ExtendWith(KafkaStackPerClass.class)
 * class CrashIT {
 *     @Test
 *     void killed(KafkaStack.Endpoints stack) { ... }
 * }
 * }</pre>
 */
final class KafkaStackPerClass implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaStackPerClass.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaStack.Endpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        // The class context's store closes the stack when the class is done.
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(KafkaStack.Running.class, key -> KafkaStack.Running.start(), KafkaStack.Running.class)
                .endpoints();
    }
}
