package org.polytopelens.cli.internal;

import java.util.concurrent.Callable;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.ServiceReference;
import picocli.CommandLine.Command;

@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"Open the Gogo shell on the running workbench (OSGi commands: lb, inspect, ...;",
            "workbench commands: wb plugins, wb run ...). Ctrl-D (end of input) leaves it."})
final class ShellCommand implements Callable<Integer> {
    private final Env env;

    ShellCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ServiceReference<CommandProcessor> ref = env.context().getServiceReference(CommandProcessor.class);
        if (ref == null) {
            throw new IllegalStateException("the Gogo shell (bundle org.apache.felix.gogo.runtime) is not running");
        }
        CommandProcessor processor = env.context().getService(ref);
        try (CommandSession session = processor.createSession(env.in(), env.out(), env.err())) {
            // gosh reads the session's input until 'exit'; --noshutdown keeps the framework up for the launcher to stop.
            session.execute("gosh --login --noshutdown");
        } finally {
            env.context().ungetService(ref);
        }
        return 0;
    }
}
