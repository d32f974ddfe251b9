package foldstream.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * What {@code foldstream new} writes. That the skeleton builds and passes its own test is proven by
 * {@code .ci/run}, which generates one and runs {@code mvn -B verify} in it after installing
 * Foldstream's artifacts (a build inside this build could not see them yet).
 */
class NewServiceCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new NewServiceCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void writesAServiceNamedAfterItsArguments() throws Exception {
        int status = run("order-service", "--package", "com.acme.orders", "--dir", dir.toString());

        assertThat(status).as(err.toString()).isZero();
        Path root = dir.resolve("order-service");
        assertThat(files(root)).containsExactlyInAnyOrder(
                ".gitignore", "README.md", "pom.xml",
                "src/main/avro/com/acme/orders/orders/CreateOrder.avsc",
                "src/main/avro/com/acme/orders/orders/RenameOrder.avsc",
                "src/main/avro/com/acme/orders/orders/OrderCreated.avsc",
                "src/main/avro/com/acme/orders/orders/OrderRenamed.avsc",
                "src/main/avro/com/acme/orders/orders/OrderState.avsc",
                "src/main/java/com/acme/orders/Orders.java",
                "src/main/java/com/acme/orders/OrderService.java",
                "src/test/java/com/acme/orders/OrdersTest.java");
        String pom = Files.readString(root.resolve("pom.xml"));
        assertThat(pom).contains("<groupId>com.acme.orders</groupId>", "<artifactId>order-service</artifactId>",
                "<mainClass>com.acme.orders.OrderService</mainClass>", "<artifactId>foldstream-worker</artifactId>");
        assertThat(pom).containsPattern("<foldstream.version>\\d+\\.\\d+\\.\\d+[^<]*</foldstream.version>");
        // Well-formed (Maven refuses a pom with "--" inside a comment), with a logging binding: the jar logs.
        NodeList artifacts = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve("pom.xml").toFile())
                .getElementsByTagName("artifactId");
        assertThat(IntStream.range(0, artifacts.getLength()).mapToObj(i -> artifacts.item(i).getTextContent()))
                .contains("foldstream-worker", "logback-classic");
        assertThat(Files.readString(root.resolve("src/main/java/com/acme/orders/Orders.java")))
                .contains("package com.acme.orders;", "AggregateType.builder(\"orders\", OrderState.class, new Orders())");
        assertThat(Files.readString(root.resolve("src/main/java/com/acme/orders/OrderService.java")))
                .contains("FoldstreamApplication.builder()", ".aggregate(Orders.type())");
        for (Path file : List.of(root.resolve("pom.xml"), root.resolve("README.md"),
                root.resolve("src/main/java/com/acme/orders/Orders.java"))) {
            assertThat(Files.readString(file)).as(file.toString()).doesNotContain("{{");
        }
        assertThat(out.toString()).contains("mvn -B verify");
    }

    @Test
    void theAggregateCanBeNamedAndBadNamesAreRefused() throws IOException {
        assertThat(run("shop", "--package", "com.acme.shop", "--aggregate", "Basket", "--dir", dir.toString())).isZero();
        assertThat(dir.resolve("shop/src/main/java/com/acme/shop/Baskets.java")).exists();
        assertThat(dir.resolve("shop/src/main/java/com/acme/shop/ShopService.java")).exists();

        assertThat(run("Bad_Name", "--package", "com.acme", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("NAME 'Bad_Name'");
        assertThat(run("fine", "--package", "Com.Acme", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--package 'Com.Acme'");
        assertThat(run("fine", "--package", "com.acme", "--aggregate", "lower", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--aggregate 'lower'");
    }

    @Test
    void neverWritesOverAFolderThatHoldsSomething() throws IOException {
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("keep.txt"), "mine");

        assertThat(run("taken", "--package", "com.acme", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("exists and is not empty");
        assertThat(files(taken)).containsExactly("keep.txt");
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).map(path -> root.relativize(path).toString().replace('\\', '/')).toList();
        }
    }
}
