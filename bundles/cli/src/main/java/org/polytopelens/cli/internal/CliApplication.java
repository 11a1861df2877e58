package org.polytopelens.cli.internal;

import java.io.PrintWriter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.launch.Application;
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

    /** The launch of the current process, kept for Gogo's {@code wb} command. */
    private volatile Launch lastLaunch;

    @Activate
    public CliApplication(BundleContext context) {
        this.context = context;
    }

    @Override
    public int run(String[] args, Launch launch) {
        lastLaunch = launch;
        return execute(args, new Env(context, () -> registry, () -> runner, () -> scr, launch, launch.in(), launch.out(), launch.err()));
    }

    /** Gogo entry point: {@code wb <command> [options]} inside the shell. */
    public int wb(String... args) {
        Launch launch = lastLaunch;
        if (launch == null) {
            System.err.println("wb: the workbench was not started by its launcher");
            return 1;
        }
        // Gogo gives each session its own System.in/out/err.
        return execute(args, new Env(context, () -> registry, () -> runner, () -> scr, launch, System.in, System.out, System.err));
    }

    private static int execute(String[] args, Env env) {
        CommandLine cl = Commands.commandLine(env);
        cl.setOut(new PrintWriter(env.out(), true));
        cl.setErr(new PrintWriter(env.err(), true));
        return cl.execute(args);
    }
}
