package org.polytopelens.cli.internal;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.launch.Application;
import org.polytopelens.launch.Command;
import org.polytopelens.launch.Launch;
import picocli.CommandLine;

/**
 * The workbench's command line as the launcher's {@link Application}; also the Gogo command
 * {@code wb} so the same commands work inside {@code workbench shell} ({@code wb plugins --json}).
 * Core services are optional references: {@code plugins} still reports what went wrong when the
 * core itself failed to start.
 */
@Component(property = {"osgi.command.scope=wb", "osgi.command.function=wb"})
public final class CliApplication implements Application {
    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ExtensionRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ExperimentRunner runner;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;

    /** Top-level commands other bundles add (the GUI's {@code gui}). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<Command> commands = new CopyOnWriteArrayList<>();

    /** The launch of the current process, kept for Gogo's {@code wb} command. */
    private volatile Launch lastLaunch;

    @Activate
    public CliApplication(BundleContext context) {
        this.context = context;
    }

    @Override
    public int run(String[] args, Launch launch) {
        lastLaunch = launch;
        Command contributed = contributed(args);
        if (contributed != null) {
            try {
                return contributed.run(Arrays.copyOfRange(args, Math.min(1, args.length), args.length), launch);
            } catch (Exception | LinkageError e) {
                launch.err().println("error: " + contributed.name() + ": " + Commands.message(e));
                return 1;
            }
        }
        return execute(args, new Env(context, () -> registry, () -> runner, () -> scr, launch, launch.in(), launch.out(), launch.err()), commands);
    }

    /**
     * The contributed command the command line names, or with no arguments the {@code gui} when
     * there is a display (the launcher script leaves AWT non-headless only then); else null.
     */
    private Command contributed(String[] args) {
        List<Command> all = List.copyOf(commands);
        if (args.length == 0) {
            return java.awt.GraphicsEnvironment.isHeadless() ? null : all.stream().filter(c -> c.name().equals("gui")).findFirst().orElse(null);
        }
        return all.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
    }

    /** Gogo entry point: {@code wb <command> [options]} inside the shell. */
    public int wb(String... args) {
        Launch launch = lastLaunch;
        if (launch == null) {
            System.err.println("wb: the workbench was not started by its launcher");
            return 1;
        }
        // Gogo gives each session its own System.in/out/err.
        return execute(args, new Env(context, () -> registry, () -> runner, () -> scr, launch, System.in, System.out, System.err), commands);
    }

    private static int execute(String[] args, Env env, List<Command> contributed) {
        CommandLine cl = Commands.commandLine(env);
        if (!contributed.isEmpty()) {
            StringBuilder footer = new StringBuilder("%nCommands from plugins:%n");
            contributed.stream().sorted(java.util.Comparator.comparing(Command::name))
                    .forEach(c -> footer.append(String.format("  %-12s%s%%n", c.name(), c.description())));
            cl.getCommandSpec().usageMessage().footer(footer.toString());
        }
        cl.setOut(new PrintWriter(env.out(), true));
        cl.setErr(new PrintWriter(env.err(), true));
        return cl.execute(args);
    }
}
