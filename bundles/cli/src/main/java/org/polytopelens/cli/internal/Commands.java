package org.polytopelens.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The root command and the wiring of its subcommands. */
final class Commands {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Commands() {}

    static CommandLine commandLine(Env env) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                try {
                    return cls.getDeclaredConstructor(Env.class).newInstance(env);
                } catch (NoSuchMethodException e) {
                    return CommandLine.defaultFactory().create(cls);
                }
            }
        };
        CommandLine cl = new CommandLine(new Root(), factory);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Bad input and missing services are the user's business: one clear line, no stack trace.
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof java.nio.file.NoSuchFileException) {
                cmd.getErr().println("error: " + message(ex));
                return 2;
            }
            cmd.getErr().println("error: " + message(ex));
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    static String message(Throwable t) {
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + t.getMessage();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Command(
            name = "workbench",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = "Polytope Lens Workbench: spline codes and polytope analyses of neural networks.",
            subcommands = {
                PluginsCommand.class,
                FeaturesCommand.class,
                RunCommand.class,
                CodesCommand.class,
                ActivationsCommand.class,
                RegionsCommand.class,
                DensityCommand.class,
                TrainCommand.class,
                DemoCommand.class,
                InspectCommand.class,
                ShellCommand.class,
                CommandLine.HelpCommand.class
            })
    static final class Root implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Commands.class.getPackage().getImplementationVersion();
            org.osgi.framework.Bundle b = org.osgi.framework.FrameworkUtil.getBundle(Commands.class);
            return new String[] {"Polytope Lens Workbench " + (b != null ? b.getVersion() : v)};
        }
    }
}
