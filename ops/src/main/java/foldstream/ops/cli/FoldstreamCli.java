package foldstream.ops.cli;

import foldstream.worker.app.LoggingDefaults;
import foldstream.worker.app.WorkerMain;
import foldstream.worker.examples.ExampleProcesses;
import foldstream.worker.examples.ExampleProjections;
import foldstream.worker.examples.ExampleTypes;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code foldstream} command-line tool ({@code ops/foldstream} runs it): the worker, topics,
 * the local stack and the demo; sending commands, reading states and tailing topics.
 *
 * <pre>{@code
 * ops/foldstream demo
 * ops/foldstream stack --fresh
 * ops/foldstream topics describe --bootstrap-servers 127.0.0.1:9092
 * ops/foldstream worker --bootstrap-servers 127.0.0.1:9092 --schema-registry-url http://127.0.0.1:8081
 * ops/foldstream send ex_accounts a1 OpenAccount '{"owner": "ann"}'
 * ops/foldstream get ex_accounts a1
 * ops/foldstream tail ex_accounts events
 * ops/foldstream projections
 * ops/foldstream new order-service --package com.acme.orders
 * }</pre>
 */
@Command(name = "foldstream", mixinStandardHelpOptions = true, version = "foldstream 0.1.0-SNAPSHOT",
        description = "Event sourcing on Kafka Streams: run workers, the local stack and the demo; manage topics;"
                + " send commands, read states, tail events and results.",
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done, or stopped cleanly", "1:failed (Kafka unreachable, topics refused, ...)",
            "2:bad settings or usage"})
public final class FoldstreamCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The tool with its subcommands, the environment and the registry wiring given. */
    public static CommandLine commandLine(Map<String, String> env, RegistryWiring registry) {
        CommandLine cli = new CommandLine(new FoldstreamCli());
        cli.addSubcommand("worker", new WorkerMain(env, registry.clients(), ExampleTypes.all(), ExampleProjections.all(),
                ExampleProcesses.all()));
        cli.addSubcommand("topics", new TopicsCommand(env, ExampleTypes.all()));
        cli.addSubcommand("stack", new StackCommand(registry));
        cli.addSubcommand("registry", new RegistryCommand(env));
        cli.addSubcommand("demo", new DemoCommand(registry, ExampleTypes.all()));
        cli.addSubcommand("send", new SendCommand(env, registry.clients(), ExampleTypes.all()));
        cli.addSubcommand("get", new GetCommand(env, ExampleTypes.all()));
        cli.addSubcommand("tail", new TailCommand(env, registry.clients(), ExampleTypes.all()));
        cli.addSubcommand("replay", new ReplayCommand(env, registry, ExampleTypes.all()));
        cli.addSubcommand("status", new StatusCommand(env));
        cli.addSubcommand("processes", new ProcessesCommand(env, ExampleProcesses.all(), Clock.systemUTC()));
        cli.addSubcommand("projections", new ProjectionsCommand(env));
        cli.addSubcommand("projection", new CommandLine(new ProjectionCommand()).addSubcommand("reset", new ProjectionCommand.Reset(env)));
        cli.addSubcommand("bench", new BenchCommand());
        cli.addSubcommand("jmh", new JmhCommand());
        cli.addSubcommand("new", new NewServiceCommand());
        return cli;
    }

    public static void main(String[] args) {
        LoggingDefaults.apply();
        System.exit(commandLine(System.getenv(), RegistryWiring.current()).execute(args));
    }

    /** Without a command: the usage, and the status of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
