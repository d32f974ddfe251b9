package foldstream.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The split between what a user's code touches and Foldstream's internals. A user writes
 * aggregates ({@code aggregate}), projections ({@code projection}) and process managers ({@code process}), tests them ({@code testing}), sends commands ({@code gateway}, with
 * the wire format and registry client of {@code serialization}) and runs them
 * ({@link FoldstreamApplication}); the rest ({@code runtime}, {@code topics}, {@code query},
 * {@code app}, {@code http}) may change in any release. The rules make the split hold: the public packages never
 * make a user name an internal type, and the shipped examples, written as a user would, use only
 * the public packages.
 */
class PublicApiTest {

    /** The packages a user's code touches. */
    static final String[] PUBLIC = {
        "foldstream.worker", "foldstream.worker.aggregate", "foldstream.worker.gateway",
        "foldstream.worker.testing", "foldstream.worker.serialization", "foldstream.worker.process",
        "foldstream.worker.projection"};

    /** What public signatures may name besides the public packages: the JDK, Avro, Kafka's client types, the protocol records, Micrometer's meters. */
    private static final String[] ALSO_ALLOWED = {
        "java..", "javax..", "org.apache.avro..", "org.apache.kafka.clients..", "org.apache.kafka.common..",
        "foldstream.protocol..",
        // FoldstreamApplication.commandLine(...) hands out the worker's command line, to add subcommands.
        "picocli..",
        // CommandGateway reports its meters to the application's Micrometer registry (docs/observability.md).
        "io.micrometer.core.instrument.."};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("foldstream");

    @Test
    void publicSignaturesOfThePublicPackagesNameNoInternalType() {
        codeUnits().that().arePublic()
                .and().areDeclaredInClassesThat().resideInAnyPackage(PUBLIC)
                .and().areDeclaredInClassesThat().arePublic()
                .should(nameOnlyTypesIn(allowed()))
                .check(CLASSES);
    }

    @Test
    void theExamplesAreWrittenAsAUserWouldWithThePublicPackagesOnly() {
        List<String> allowed = new ArrayList<>(List.of(allowed()));
        allowed.add("foldstream.worker.examples..");
        allowed.add("foldstream.examples..");
        classes().that().resideInAPackage("foldstream.worker.examples..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
                .check(CLASSES);
    }

    private static String[] allowed() {
        List<String> allowed = new ArrayList<>(List.of(PUBLIC));
        allowed.addAll(List.of(ALSO_ALLOWED));
        return allowed.toArray(String[]::new);
    }

    /** Return, parameter and declared exception types of a public method or constructor. */
    private static ArchCondition<JavaCodeUnit> nameOnlyTypesIn(String[] packages) {
        DescribedPredicate<JavaClass> inAllowed = JavaClass.Predicates.resideInAnyPackage(packages);
        return new ArchCondition<>("name only types of the public packages, the JDK, Avro and Kafka's clients") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                if (unit.getOwner().getModifiers().contains(JavaModifier.SYNTHETIC) || unit.getModifiers().contains(JavaModifier.SYNTHETIC)) {
                    return;
                }
                List<JavaClass> named = new ArrayList<>(unit.getRawParameterTypes());
                named.add(unit.getRawReturnType());
                named.addAll(unit.getExceptionTypes());
                for (JavaClass type : named) {
                    JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
                    if (!base.isPrimitive() && !inAllowed.test(base)) {
                        events.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " names the internal type " + base.getName()));
                    }
                }
            }
        };
    }
}
