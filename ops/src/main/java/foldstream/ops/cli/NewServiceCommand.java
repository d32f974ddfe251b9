package foldstream.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code foldstream new NAME --package com.acme.orders}: writes the skeleton of a service of one's
 * own (pom, Avro schemas, one aggregate, its fixture test, the main class, a README) into a new
 * folder, ready for {@code mvn -B verify} once Foldstream's artifacts are in the Maven repository.
 *
 * <pre>{@code
 * ops/foldstream new order-service --package com.acme.orders
 * cd order-service && mvn -B verify
 * }</pre>
 */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Writes the skeleton of a new Foldstream service: pom, Avro schemas, one aggregate, its test, main.",
            "It builds and passes its test as written (mvn -B verify), with Foldstream's artifacts installed."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:written", "1:could not write", "2:bad usage (the message says which)"})
public final class NewServiceCommand implements Callable<Integer> {

    private static final Pattern SERVICE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern PACKAGE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
    private static final Pattern AGGREGATE = Pattern.compile("[A-Z][A-Za-z0-9]*");
    private static final String TEMPLATES = "/foldstream/ops/skeleton/";

    @Parameters(index = "0", paramLabel = "NAME", description = "The service's name: its folder, artifact and jar (e.g. order-service)")
    String name;

    @Option(names = "--package", required = true, paramLabel = "PACKAGE", description = "The Java package (e.g. com.acme.orders)")
    String packageName;

    @Option(names = "--aggregate", paramLabel = "NAME",
            description = "The aggregate's name, singular and capitalised (default: from NAME, e.g. order-service -> Order)")
    String aggregate;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the service's folder is made (default: the current directory)")
    Path dir = Path.of(".");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Skeleton skeleton;
        try {
            skeleton = skeleton();
        } catch (IllegalArgumentException e) {
            err.println("foldstream new: " + e.getMessage());
            return ExitStatus.USAGE;
        }
        Path root = dir.resolve(name);
        try {
            if (Files.exists(root) && !isEmptyDirectory(root)) {
                err.println("foldstream new: " + root + " exists and is not empty; choose another NAME or --dir");
                return ExitStatus.USAGE;
            }
            for (Map.Entry<String, String> file : skeleton.files().entrySet()) {
                Path target = root.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, skeleton.fill(file.getValue()), StandardCharsets.UTF_8);
            }
        } catch (IOException | UncheckedIOException e) {
            err.println("foldstream new: cannot write " + root + ": " + e.getMessage());
            return ExitStatus.FAILED;
        }
        out.println("wrote " + root + " (" + skeleton.files().size() + " files): aggregate type "
                + skeleton.values().get("stream") + " in " + packageName + "." + skeleton.values().get("Aggregates"));
        out.println("next: cd " + root + " && mvn -B verify && mvn -B package");
        return ExitStatus.OK;
    }

    /** The names the templates are filled with, and where each template goes. */
    private Skeleton skeleton() {
        if (!SERVICE.matcher(name).matches()) {
            throw new IllegalArgumentException("NAME '" + name + "' must be lower case letters, digits and dashes, e.g. order-service");
        }
        if (!PACKAGE.matcher(packageName).matches()) {
            throw new IllegalArgumentException("--package '" + packageName + "' is not a lower-case Java package, e.g. com.acme.orders");
        }
        String single = aggregate != null ? aggregate : capitalise(name.replaceFirst("-service$", "").replace("-", " "));
        if (!AGGREGATE.matcher(single).matches()) {
            throw new IllegalArgumentException("--aggregate '" + single + "' must be a capitalised Java name, e.g. Order");
        }
        String camelName = capitalise(name.replace("-", " "));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("service", name);
        values.put("package", packageName);
        values.put("packagePath", packageName.replace('.', '/'));
        values.put("Aggregate", single);
        values.put("aggregate", single.toLowerCase(Locale.ROOT));
        values.put("Aggregates", single + "s");
        values.put("stream", single.toLowerCase(Locale.ROOT) + "s");
        values.put("Main", camelName.endsWith("Service") ? camelName : camelName + "Service");
        values.put("foldstreamVersion", foldstreamVersion());

        String java = "src/main/java/" + values.get("packagePath") + "/";
        String avro = "src/main/avro/" + values.get("packagePath") + "/" + values.get("stream") + "/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", "pom.xml.tmpl");
        files.put("README.md", "README.md.tmpl");
        files.put(".gitignore", null);
        files.put(avro + "Create" + single + ".avsc", "Create.avsc.tmpl");
        files.put(avro + "Rename" + single + ".avsc", "Rename.avsc.tmpl");
        files.put(avro + single + "Created.avsc", "Created.avsc.tmpl");
        files.put(avro + single + "Renamed.avsc", "Renamed.avsc.tmpl");
        files.put(avro + single + "State.avsc", "State.avsc.tmpl");
        files.put(java + values.get("Aggregates") + ".java", "Aggregate.java.tmpl");
        files.put(java + values.get("Main") + ".java", "Main.java.tmpl");
        files.put("src/test/java/" + values.get("packagePath") + "/" + values.get("Aggregates") + "Test.java", "AggregateTest.java.tmpl");
        Map<String, String> contents = new LinkedHashMap<>();
        // .gitignore: the build's output, and the class-data archive the README suggests making per build.
        files.forEach((path, template) -> contents.put(path, template == null ? "target/\n*.jsa\n" : template(template)));
        return new Skeleton(values, contents);
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    /** "order service" -> "OrderService". */
    private static String capitalise(String words) {
        StringBuilder result = new StringBuilder();
        for (String word : words.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                result.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return result.toString();
    }

    private static String template(String name) {
        try (InputStream in = NewServiceCommand.class.getResourceAsStream(TEMPLATES + name)) {
            if (in == null) {
                throw new IllegalStateException("the tool's template " + name + " is missing from its classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of Foldstream this tool was built as: the skeleton depends on the same. */
    private static String foldstreamVersion() {
        Properties properties = new Properties();
        try (InputStream in = NewServiceCommand.class.getResourceAsStream(TEMPLATES + "version.properties")) {
            if (in == null) {
                throw new IllegalStateException("the tool's version.properties is missing from its classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("foldstream.version");
    }

    /** The filled-in names and each file's template text. */
    private record Skeleton(Map<String, String> values, Map<String, String> files) {

        String fill(String template) {
            String text = template;
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace("{{" + value.getKey() + "}}", value.getValue());
            }
            return text;
        }
    }
}
