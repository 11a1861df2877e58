package org.polytopelens.launch;

/**
 * A top-level command that a bundle adds to the workbench's command line (the GUI's {@code gui}),
 * registered as a service. The command-line bundle lists these in its help and runs the one
 * named by the first argument; the core's commands keep their names.
 */
public interface Command {
    /** The command's name on the command line, e.g. {@code gui}. */
    String name();

    /** One line for the help. */
    String description();

    /** Runs the command with the arguments after its name; returns the exit code. */
    int run(String[] args, Launch launch) throws Exception;
}
