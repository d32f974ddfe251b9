package foldstream.ops.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code foldstream jmh [JMH options]}: the hot-path micro-benchmarks, without a broker. */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {"Runs the JMH benchmarks of the per-command work (decode, decide+evolve, snapshot, result).",
            "Any JMH option passes through, e.g. 'ops/foldstream jmh -f 1 -wi 3 -i 5 snapshot'."})
public final class JmhCommand implements Callable<Integer> {

    /** Everything after {@code jmh} goes to JMH as it is. */
    @Unmatched
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(options);
        if (args.stream().noneMatch(a -> !a.startsWith("-"))) {
            args.add("foldstream.ops.jmh");
        }
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
